// Data entry under a bulk load, as a new user would try it with a Node.js
// client (issue 12, item 5): single RecordObservation calls, one at a time,
// first on an idle server, then while two clients each keep a 500-row
// RecordObservations in flight. Not a test (node --test does not pick it
// up): a load tool, bounded in time, loopback only, each run on a fresh
// database: SQLite, or with ETHREC_PG_ADMIN (a libpq URI of a throwaway
// cluster's "postgres" database, e.g. postgresql:///postgres?host=/tmp/pg&
// port=5433&user=ethrec) a new PostgreSQL database made with psql. Two
// server builds run in interleaved rounds, A then B, each round on a fresh
// server, unpinned:
//
//   node bulk_entry_load.js A/ethrecd B/ethrecd [rounds=3] [seconds=3]
//
// It prints each run's idle and loaded p50 and p99 (ms), the loaded/idle
// p99 ratio, and the medians over the rounds.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const { PROTO_DIR, STOP_TIMEOUT_MS, syntheticNhsNumber, startServer, waitForExit, unary } = require('./ethrecd');

const BATCH = 500;
const SEEDED = 2000;

function identity(agency) {
  const md = new grpc.Metadata();
  md.set('x-ethrec-agency', agency);
  md.set('x-ethrec-role', 'record-system');
  return md;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// Single writes about seeded children for `seconds`: their latencies in ms.
async function singles(records, tag, seconds) {
  const latencies = [];
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const observation = {
      child: { nhs_number: syntheticNhsNumber(i % SEEDED) }, record_id: `gp-${tag}-${i}`, record_version: 1,
      system: 'nhs-ethnic-category', code: 'A', supplied_by: 'PRACTITIONER', recorded_at: { seconds: 1764000100 },
    };
    const start = process.hrtime.bigint();
    await unary(records, 'RecordObservation', { observation }, identity('load-gp'));
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return latencies.sort((a, b) => a - b);
}

function batch(first) {
  const observations = [];
  for (let k = 0; k < BATCH; k++) {
    observations.push({
      child: { nhs_number: syntheticNhsNumber(first + k) }, record_id: `bulk-${first + k}`, record_version: 1,
      system: 'dfe', code: 'BAFR', supplied_by: 'SELF', recorded_at: { seconds: 1764000000 },
    });
  }
  return { observations, view: 'BASIC' };
}

// A fresh database for one run: its --db value.
let runs = 0;
function freshDb(dir) {
  const admin = process.env.ETHREC_PG_ADMIN;
  if (!admin) return path.join(dir, 'load.db');
  const name = `bulk_entry_${process.pid}_${++runs}`;
  execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`]);
  const uri = new URL(admin);
  uri.pathname = `/${name}`;
  return uri.toString();
}

async function run(ethrecd, seconds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-bulk-entry-'));
  const server = await startServer(freshDb(dir), [], ethrecd);
  const def = protoLoader.loadSync(['ethrec/v1/records_service.proto'],
                                   { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String });
  const v1 = grpc.loadPackageDefinition(def).ethrec.v1;
  const address = `127.0.0.1:${server.port}`;
  const records = new v1.RecordsService(address, grpc.credentials.createInsecure());
  const bulk = [0, 1].map(() => new v1.RecordsService(address, grpc.credentials.createInsecure()));
  try {
    for (let first = 0; first < SEEDED; first += BATCH) {
      await unary(records, 'RecordObservations', batch(first), identity('load-school'));
    }
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await singles(records, 'idle', seconds);
    let next = 100_000;
    let stop = false;
    const loaders = bulk.map(async (client) => {
      while (!stop) {
        const first = next;
        next += BATCH;
        await unary(client, 'RecordObservations', batch(first), identity('load-school'));
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const loaded = await singles(records, 'loaded', seconds);
    stop = true;
    await Promise.all(loaders);
    return { idle, loaded };
  } finally {
    records.close();
    bulk.forEach((c) => c.close());
    server.child.kill('SIGTERM');
    await waitForExit(server.child, STOP_TIMEOUT_MS);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const [a, b, rounds = '3', seconds = '3'] = process.argv.slice(2);
  if (!a || !b) {
    console.error('usage: node bulk_entry_load.js A/ethrecd B/ethrecd [rounds] [seconds]');
    process.exit(2);
  }
  const ratios = { A: [], B: [] };
  const loadedP99 = { A: [], B: [] };
  for (let round = 1; round <= Number(rounds); round++) {
    for (const [name, bin] of [['A', a], ['B', b]]) {
      const { idle, loaded } = await run(path.resolve(bin), Number(seconds));
      const f = (x) => x.toFixed(1);
      const ratio = percentile(loaded, 0.99) / percentile(idle, 0.99);
      ratios[name].push(ratio);
      loadedP99[name].push(percentile(loaded, 0.99));
      console.log(`round ${round} ${name}: idle p50 ${f(percentile(idle, 0.5))} p99 ${f(percentile(idle, 0.99))} ms` +
                  ` (${idle.length} calls); loaded p50 ${f(percentile(loaded, 0.5))} p99` +
                  ` ${f(percentile(loaded, 0.99))} ms (${loaded.length} calls); loaded/idle p99 ${ratio.toFixed(2)}`);
    }
  }
  for (const name of ['A', 'B']) {
    console.log(`${name}: median loaded p99 ${median(loadedP99[name]).toFixed(1)} ms,` +
                ` median loaded/idle p99 ${median(ratios[name]).toFixed(2)}` +
                ` (${Math.min(...ratios[name]).toFixed(2)}..${Math.max(...ratios[name]).toFixed(2)})`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
