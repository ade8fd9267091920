// The real ethrecd's HTTP endpoint (--http_listen), end to end: mutual TLS
// with the same certificates as gRPC (the certificate names the caller,
// headers do not; GET /v1/changes keeps a record system to its agency),
// /metrics checked by Prometheus' promtool after gRPC and HTTP calls,
// request limits, and logs that are one JSON object a line and hold no
// identifier. Synthetic data only.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const { REPO, PROTO_DIR, START_TIMEOUT_MS, syntheticNhsNumber, startServer, unary, waitForExit } = require('./ethrecd');

// One HTTP(S) request; resolves with { status, headers, body }. A body is
// sent with its Content-Length unless the headers ask for chunks.
function request(options, body) {
  if (body !== undefined && !(options.headers || {})['transfer-encoding']) {
    options = { ...options, headers: { ...options.headers, 'content-length': Buffer.byteLength(body) } };
  }
  return new Promise((resolve, reject) => {
    const req = (options.ca ? https : http).request({ host: '127.0.0.1', timeout: 10_000, ...options }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const CALLER = { 'x-ethrec-agency': 'camden-csc', 'x-ethrec-role': 'record-system' };

describe('ethrecd HTTP over mutual TLS', { timeout: 120_000 }, () => {
  let tmpDir;
  let certs;
  let server;
  const tls = (who) => ({
    port: server.httpPort, servername: 'localhost', ca: fs.readFileSync(path.join(certs, 'ca.pem')),
    ...(who ? { cert: fs.readFileSync(path.join(certs, `${who}.pem`)), key: fs.readFileSync(path.join(certs, `${who}.key`)) } : {}),
  });

  before(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-http-mtls-'));
    certs = path.join(tmpDir, 'certs');
    execFileSync(path.join(REPO, 'deploy', 'dev-certs.sh'), [certs], { stdio: 'ignore' });
    server = await startServer(path.join(tmpDir, 'ethrecd.db'), [
      `--tls_cert=${path.join(certs, 'server.pem')}`, `--tls_key=${path.join(certs, 'server.key')}`,
      `--tls_client_ca=${path.join(certs, 'ca.pem')}`, `--tls_crl_dir=${path.join(certs, 'crl')}`,
      '--http_listen=127.0.0.1:0',
    ]);
  }, { timeout: START_TIMEOUT_MS + 30_000 });

  after(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('serves a caller named by its certificate', async () => {
    const r = await request({ ...tls('camden-csc.record-system'), method: 'POST', path: '/v1/normalize', headers: JSON_HEADERS },
      JSON.stringify({ system: 'dfe', code: 'BSOM' }));
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).value.categories[0].category, 'BLACK_AFRICAN');
  });

  it('takes the role from the certificate, never from headers', async () => {
    const r = await request({ ...tls('partnership-audit.auditor'), method: 'POST', path: '/v1/normalize',
      headers: { ...JSON_HEADERS, ...CALLER } }, JSON.stringify({ system: 'dfe', code: 'BSOM' }));
    assert.equal(r.status, 403, r.body);
    assert.match(JSON.parse(r.body).message, /auditor/);
  });

  it('pages the change feed (GET /v1/changes) for the agency the certificate names', async () => {
    const camden = tls('camden-csc.record-system');
    const now = await request({ ...camden, method: 'GET', path: '/v1/changes?page_size=1000' });
    assert.equal(now.status, 200, now.body);
    const { watchToken } = JSON.parse(now.body);
    for (const [who, id, n] of [['camden-csc.record-system', 'feed-camden', 881], ['north-gp.record-system', 'feed-north', 882]]) {
      const written = await request({ ...tls(who), method: 'POST', path: '/v1/observations', headers: JSON_HEADERS },
        JSON.stringify({ observation: { child: { nhsNumber: syntheticNhsNumber(n) }, recordId: id, recordVersion: '1',
          system: 'dfe', code: 'BSOM', suppliedBy: 'SELF', recordedAt: '2025-11-01T00:00:00Z' } }));
      assert.equal(written.status, 200, written.body);
    }
    const query = `since_token=${encodeURIComponent(watchToken)}&kinds=RECORD_WRITTEN`;
    const own = await request({ ...camden, method: 'GET', path: `/v1/changes?${query}` });
    assert.equal(own.status, 200, own.body);
    assert.deepEqual(JSON.parse(own.body).events.map((e) => e.recordWritten.recordId), ['feed-camden']);
    const officer = await request({ ...tls('partnership-dq.data-quality-officer'), method: 'GET', path: `/v1/changes?${query}` });
    assert.equal(officer.status, 200, officer.body);
    assert.deepEqual(JSON.parse(officer.body).events.map((e) => e.recordWritten.recordId).sort(), ['feed-camden', 'feed-north']);
    const other = await request({ ...camden, method: 'GET', path: `/v1/changes?${query}&agency=north-gp` });
    assert.equal(other.status, 403, other.body);
    const bad = await request({ ...camden, method: 'GET', path: '/v1/changes?page_size=lots' });
    assert.equal(bad.status, 400, bad.body);
    assert.match(bad.body, /page_size/);
  });

  it('refuses a client without a certificate', async () => {
    await assert.rejects(request({ ...tls(null), method: 'GET', path: '/fhir/metadata', headers: CALLER }));
  });
});

// The TLS files change under a running server (checked every second):
// each request here opens a new connection (agent: false), which must see
// the files as they are now.
describe('ethrecd HTTP reloads its TLS files without a restart', { timeout: 120_000 }, () => {
  let tmpDir;
  const servers = [];
  const certsOf = (name) => path.join(tmpDir, name);
  const client = (port, certs, who) => ({
    port, servername: 'localhost', agent: false, ca: fs.readFileSync(path.join(certs, 'ca.pem')),
    cert: fs.readFileSync(path.join(certs, `${who}.pem`)), key: fs.readFileSync(path.join(certs, `${who}.key`)),
  });
  // The server certificate's fingerprint a new connection is shown, or
  // 'refused' when the handshake (or the request) fails.
  const handshake = (options) => new Promise((resolve) => {
    const req = https.request({ host: '127.0.0.1', timeout: 5_000, method: 'GET', path: '/fhir/metadata', ...options }, (res) => {
      const fingerprint = res.socket.getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? fingerprint : `status ${res.statusCode}`));
    });
    req.on('error', () => resolve('refused'));
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
  const fingerprintOf = (file) => new (require('node:crypto').X509Certificate)(fs.readFileSync(file)).fingerprint256;
  // Polls `probe` every 200 ms until it returns `want` (at most 10 s).
  const eventually = async (probe, want) => {
    let got;
    for (let i = 0; i < 50; i++) {
      got = await probe();
      if (got === want) return got;
      await new Promise((r) => setTimeout(r, 200));
    }
    return got;
  };
  // Replaces `to`'s files with `from`'s, each by a rename (as a deployment tool would).
  const install = (from, to) => {
    for (const f of ['server.pem', 'server.key', 'ca.pem']) {
      fs.copyFileSync(path.join(from, f), path.join(to, `${f}.new`));
      fs.renameSync(path.join(to, `${f}.new`), path.join(to, f));
    }
  };

  before(() => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-http-reload-'));
    for (const name of ['dev', 'other']) execFileSync(path.join(REPO, 'deploy', 'dev-certs.sh'), [certsOf(name)], { stdio: 'ignore' });
    execFileSync(path.join(REPO, 'deploy', 'dev-certs.sh'), [certsOf('dev'), 'client', 'late-gp', 'record-system'], { stdio: 'ignore' });
    fs.mkdirSync(certsOf('live'));
    install(certsOf('dev'), certsOf('live'));
  });

  after(() => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('serves a replaced certificate, and trusts only the replaced client CA, on new connections', async () => {
    const live = certsOf('live');
    const server = await startServer(path.join(tmpDir, 'swap.db'), [
      `--tls_cert=${path.join(live, 'server.pem')}`, `--tls_key=${path.join(live, 'server.key')}`,
      `--tls_client_ca=${path.join(live, 'ca.pem')}`, '--tls_refresh_seconds=1', '--http_listen=127.0.0.1:0',
    ]);
    servers.push(server);
    const dev = () => handshake(client(server.httpPort, certsOf('dev'), 'camden-csc.record-system'));
    const other = () => handshake(client(server.httpPort, certsOf('other'), 'camden-csc.record-system'));
    const devServer = fingerprintOf(path.join(certsOf('dev'), 'server.pem'));
    const otherServer = fingerprintOf(path.join(certsOf('other'), 'server.pem'));
    assert.notEqual(devServer, otherServer);
    assert.equal(await dev(), devServer);
    assert.equal(await other(), 'refused');

    install(certsOf('other'), live);
    assert.equal(await eventually(other, otherServer), otherServer, 'the new certificate and CA were not used within 10 s');
    assert.equal(await dev(), 'refused');
    assert.ok(server.stderr().split('\n').some((l) => l && JSON.parse(l).event === 'tls reloaded'), server.stderr());
  });

  it('refuses a client certificate revoked while it serves', async () => {
    const dev = certsOf('dev');
    const server = await startServer(path.join(tmpDir, 'crl.db'), [
      `--tls_cert=${path.join(dev, 'server.pem')}`, `--tls_key=${path.join(dev, 'server.key')}`,
      `--tls_client_ca=${path.join(dev, 'ca.pem')}`, `--tls_crl_dir=${path.join(dev, 'crl')}`,
      '--tls_refresh_seconds=1', '--http_listen=127.0.0.1:0',
    ]);
    servers.push(server);
    const devServer = fingerprintOf(path.join(dev, 'server.pem'));
    const late = () => handshake(client(server.httpPort, dev, 'late-gp.record-system'));
    assert.equal(await late(), devServer);
    execFileSync(path.join(REPO, 'deploy', 'dev-certs.sh'), [dev, 'revoke', 'late-gp', 'record-system'], { stdio: 'ignore' });
    assert.equal(await eventually(late, 'refused'), 'refused', 'the new CRL was not applied within 10 s');
    assert.equal(await handshake(client(server.httpPort, dev, 'north-gp.record-system')), devServer);
  });
});

describe('ethrecd HTTP in plaintext: metrics, limits and logs', { timeout: 120_000 }, () => {
  let tmpDir;
  let server;
  let taxonomy;
  let records;

  before(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-http-'));
    server = await startServer(path.join(tmpDir, 'ethrecd.db'), ['--http_listen=127.0.0.1:0', '--max_message_bytes=65536']);
    const definition = protoLoader.loadSync(['ethrec/v1/taxonomy_service.proto', 'ethrec/v1/records_service.proto'],
      { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const v1 = grpc.loadPackageDefinition(definition).ethrec.v1;
    taxonomy = new v1.TaxonomyService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    records = new v1.RecordsService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  }, { timeout: START_TIMEOUT_MS + 5_000 });

  after(() => {
    if (taxonomy) taxonomy.close();
    if (records) records.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('exposes metrics promtool accepts, counting both transports', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-ethrec-agency', 'camden-csc');
    metadata.set('x-ethrec-role', 'record-system');
    await unary(taxonomy, 'Translate', { from_system: 'dfe', code: 'BSOM', to_system: 'nhs-ethnic-category' }, metadata);
    const nhs = syntheticNhsNumber(777);
    // A self-identified record and a disagreeing one raise a finding.
    for (const [id, code, by] of [['r1', 'BSOM', 'SELF'], ['r2', 'WBRI', 'PRACTITIONER']]) {
      await unary(records, 'RecordObservation', { observation: {
        child: { nhs_number: nhs }, record_id: id, record_version: 1, system: 'dfe', code, supplied_by: by,
        recorded_at: { seconds: 1764000000 } } }, metadata);
    }
    const viaHttp = await request({ port: server.httpPort, method: 'GET',
      path: '/fhir/ConceptMap/$translate?system=urn:ethrec:codesystem:dfe&code=BSOM', headers: CALLER });
    assert.equal(viaHttp.status, 200, viaHttp.body);

    const m = await request({ port: server.httpPort, method: 'GET', path: '/metrics' });
    assert.equal(m.status, 200);
    assert.match(m.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: m.body, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool runs (Debian package prometheus)');
    assert.equal(check.status, 0, `promtool check metrics:\n${check.stdout}${check.stderr}\n${m.body}`);
    assert.match(m.body, /ethrec_calls_total\{transport="grpc",method="\/ethrec\.v1\.TaxonomyService\/Translate",code="OK"\} 1/);
    assert.match(m.body, /ethrec_calls_total\{transport="http",method="\/fhir\/ConceptMap\/\$translate",code="OK"\} 1/);
    assert.match(m.body, /ethrec_call_duration_seconds_bucket\{transport="grpc",method="\/ethrec\.v1\.RecordsService\/RecordObservation",le="\+Inf"\} 2/);
    assert.match(m.body, /ethrec_store_transaction_duration_seconds_count\{operation="Write"\} 2/);
    assert.match(m.body, /ethrec_open_findings\{kind="[A-Z_]+"\} [1-9]/);
    assert.match(m.body, /ethrec_build_info\{version="[0-9.]+"\} 1/);
    assert.ok(!m.body.includes(nhs) && !m.body.includes('BSOM'), 'no identifier or code in metrics');
  });

  it('refuses too large a body, too many headers and bad JSON', async () => {
    const big = JSON.stringify({ system: 'dfe', text: 'x'.repeat(70_000) });
    const tooBig = await request({ port: server.httpPort, method: 'POST', path: '/v1/normalize',
      headers: { ...JSON_HEADERS, ...CALLER } }, big)
      .catch((e) => ({ status: 'reset', body: e.message }));
    assert.ok(tooBig.status === 413 || tooBig.status === 'reset', `${tooBig.status} ${tooBig.body}`);
    // A chunked body would escape the limit: refused before it is read.
    const chunked = await request({ port: server.httpPort, method: 'POST', path: '/v1/normalize',
      headers: { ...JSON_HEADERS, ...CALLER, 'transfer-encoding': 'chunked' } }, big).catch((e) => ({ status: 'reset', body: e.message }));
    assert.ok(chunked.status === 411 || chunked.status === 'reset', `${chunked.status} ${chunked.body}`);
    const headers = { ...CALLER };
    for (let i = 0; i < 80; i++) headers[`x-filler-${i}`] = 'x';
    const many = await request({ port: server.httpPort, method: 'GET', path: '/fhir/metadata', headers });
    assert.equal(many.status, 431);
    const bad = await request({ port: server.httpPort, method: 'POST', path: '/v1/normalize',
      headers: { ...JSON_HEADERS, ...CALLER } }, '{"system":"dfe","code":7}');
    assert.equal(bad.status, 400);
    const status = JSON.parse(bad.body);
    assert.equal(status.code, 3);
    const violation = status.details.find((d) => d['@type'].endsWith('google.rpc.BadRequest'));
    assert.equal(violation.fieldViolations[0].field, 'code');
  });

  it('closes the connection after refusing a request whose body it did not read', async () => {
    // On one raw connection: a chunked body (refused unread), then a second
    // request. Had the connection stayed open, the unread body would have
    // been parsed as a request (cpp-httplib answered it 414) and the second
    // request answered too: a smuggled request.
    const chunk = 'x'.repeat(20_000);
    const raw = [
      'POST /v1/normalize HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json',
      'Transfer-Encoding: chunked', 'x-ethrec-agency: gp', 'x-ethrec-role: record-system', '',
      `${chunk.length.toString(16)}`, chunk, '0', '',
      'GET /fhir/metadata HTTP/1.1', 'Host: 127.0.0.1', 'x-ethrec-agency: gp', 'x-ethrec-role: record-system', '', '',
    ].join('\r\n');
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect(server.httpPort, '127.0.0.1');
      let data = '';
      socket.setTimeout(10_000, () => { socket.destroy(); reject(new Error(`connection kept open: ${data}`)); });
      socket.on('data', (d) => { data += d; });
      socket.on('end', () => resolve(data));
      socket.on('error', (e) => (e.code === 'ECONNRESET' ? resolve(data) : reject(e)));
      socket.end(raw);
    });
    assert.match(answer, /^HTTP\/1\.1 411 /);
    assert.match(answer, /\r\nConnection: close\r\n/i);
    assert.match(answer, /send the body with a Content-Length/);
    assert.equal(answer.split('HTTP/1.1 ').length - 1, 1, answer);
  });

  it('logs one JSON object a line, without identifiers or codes', async () => {
    server.child.kill('SIGTERM');
    await waitForExit(server.child, 15_000);
    const lines = server.stderr().split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length >= 2, server.stderr());
    for (const line of lines) {
      const entry = JSON.parse(line);
      assert.ok(entry.time && entry.level && entry.event, line);
      assert.ok(!/999\d{7}|BSOM|WBRI/.test(line), line);
    }
    assert.ok(lines.some((l) => JSON.parse(l).event === 'stopped'));
  });
});
