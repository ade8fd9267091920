// The change feed from an independent Node.js client (@grpc/grpc-js reading
// proto/ directly): watch the real ethrecd, restart it (SIGTERM, then a new
// process on the same database), resume from the last token, and check that
// nothing acknowledged was lost and that every event seen twice is the same
// event with the same token (at-least-once repeats only). Synthetic data only.
'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const { PROTO_DIR, STOP_TIMEOUT_MS, syntheticNhsNumber, startServer, waitForExit, unary } = require('./ethrecd');

const WRITER = 'node-feed-writer';

function identity(agency, role) {
  const md = new grpc.Metadata();
  md.set('x-ethrec-agency', agency);
  md.set('x-ethrec-role', role);
  return md;
}

function clients(port) {
  const definition = protoLoader.loadSync(['ethrec/v1/records_service.proto', 'ethrec/v1/changes_service.proto'], {
    includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  });
  const v1 = grpc.loadPackageDefinition(definition).ethrec.v1;
  const address = `127.0.0.1:${port}`;
  return {
    records: new v1.RecordsService(address, grpc.credentials.createInsecure()),
    changes: new v1.ChangesService(address, grpc.credentials.createInsecure()),
  };
}

async function write(records, n) {
  await unary(records, 'RecordObservation', {
    observation: {
      child: { nhs_number: syntheticNhsNumber(700000 + n) }, record_id: `n${n}`, record_version: 1,
      system: 'dfe', code: 'WBRI', supplied_by: 'SELF', recorded_at: { seconds: 1764000000 },
    },
  }, identity(WRITER, 'record-system'));
  return `${WRITER}/n${n}`;
}

// Watches from `since`, calling `onEvent` for each event; resolves when the
// stream ends (cancelled, or the server went away).
function watch(changes, since, onEvent) {
  const call = changes.WatchChanges({ since_token: since, kinds: ['RECORD_WRITTEN'] },
                                    identity('node-feed-dq', 'data-quality-officer'));
  const ended = new Promise((resolve) => {
    call.on('data', onEvent);
    call.on('error', resolve);
    call.on('end', resolve);
  });
  return { call, ended };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('change feed', () => {
  it('resumes after a server restart with nothing lost and only at-least-once repeats', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-node-feed-'));
    const db = path.join(dir, 'feed.db');
    let server = await startServer(db, ['--changes_bookmark_interval=1s']);
    const seen = new Map();  // key -> token
    let lastToken = '';
    let repeats = 0;
    const onEvent = (e) => {
      lastToken = e.token;
      if (e.change !== 'record_written') return;
      const key = `${e.record_written.agency}/${e.record_written.record_id}`;
      if (seen.has(key)) {
        repeats++;
        assert.equal(seen.get(key), e.token, `${key} came again with another token`);
      }
      seen.set(key, e.token);
    };
    try {
      let c = clients(server.port);
      let w = watch(c.changes, '', onEvent);
      while (lastToken === '') await sleep(20);
      const acknowledged = [];
      for (let i = 0; i < 50; i++) acknowledged.push(await write(c.records, i));
      // Restart: the watch ends with the server; resume from the last token.
      server.child.kill('SIGTERM');
      await waitForExit(server.child, STOP_TIMEOUT_MS);
      await w.ended;
      c.records.close();
      c.changes.close();
      // Replay part of what was seen: a client may resume from an older token.
      const resumeFrom = lastToken;
      server = await startServer(db, ['--changes_bookmark_interval=1s']);
      c = clients(server.port);
      for (let i = 50; i < 100; i++) acknowledged.push(await write(c.records, i));
      w = watch(c.changes, resumeFrom, onEvent);
      const deadline = Date.now() + 20_000;
      while (acknowledged.some((k) => !seen.has(k)) && Date.now() < deadline) await sleep(50);
      for (const k of acknowledged) assert.ok(seen.has(k), `lost: ${k}`);
      assert.equal(seen.size, acknowledged.length);
      // An old token replays from there: the same events, the same tokens.
      const firstToken = seen.get(acknowledged[0]);
      const replay = new Map();
      const r = watch(c.changes, firstToken, (e) => {
        if (e.change === 'record_written') replay.set(`${e.record_written.agency}/${e.record_written.record_id}`, e.token);
      });
      const until = Date.now() + 20_000;
      while (replay.size < acknowledged.length - 1 && Date.now() < until) await sleep(50);
      r.call.cancel();
      for (const [k, token] of replay) assert.equal(seen.get(k), token, `${k} replayed with another token`);
      assert.equal(replay.size, acknowledged.length - 1);
      assert.ok(repeats >= 0);
      w.call.cancel();
      c.records.close();
      c.changes.close();
    } finally {
      server.child.kill('SIGTERM');
      await waitForExit(server.child, STOP_TIMEOUT_MS).catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
