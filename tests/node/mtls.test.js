// ethrecd over mutual TLS from @grpc/grpc-js, with certificates made by
// deploy/dev-certs.sh: the client certificate names the agency and role,
// call metadata is ignored, and a client without a certificate is refused.
// Synthetic data only; loopback only.
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const {
  REPO, PROTO_DIR, START_TIMEOUT_MS, syntheticNhsNumber, startServer, unary, unaryError,
} = require('./ethrecd');

describe('ethrecd over mutual TLS through @grpc/grpc-js', { timeout: 120_000 }, () => {
  let tmpDir;
  let certs;
  let server;
  let v1;
  let address;
  const clients = [];

  // A client of `Service` holding the certificate of `who` ("agency.role"),
  // or none when `who` is null.
  function client(Service, who) {
    const ca = fs.readFileSync(path.join(certs, 'ca.pem'));
    const credentials = who === null
      ? grpc.credentials.createSsl(ca)
      : grpc.credentials.createSsl(ca, fs.readFileSync(path.join(certs, `${who}.key`)),
                                   fs.readFileSync(path.join(certs, `${who}.pem`)));
    // The server certificate names localhost (and 127.0.0.1, but Node will
    // not send an IP address as the TLS server name).
    const c = new Service(address, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
    clients.push(c);
    return c;
  }

  before(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-node-mtls-'));
    certs = path.join(tmpDir, 'certs');
    execFileSync(path.join(REPO, 'deploy', 'dev-certs.sh'), [certs], { stdio: 'ignore' });
    server = await startServer(path.join(tmpDir, 'ethrecd.db'), [
      `--tls_cert=${path.join(certs, 'server.pem')}`, `--tls_key=${path.join(certs, 'server.key')}`,
      `--tls_client_ca=${path.join(certs, 'ca.pem')}`, `--tls_crl_dir=${path.join(certs, 'crl')}`,
    ]);
    address = `127.0.0.1:${server.port}`;
    const packageDefinition = protoLoader.loadSync(
      ['ethrec/v1/records_service.proto', 'ethrec/v1/findings_service.proto', 'ethrec/v1/diagnostics_service.proto'],
      { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    v1 = grpc.loadPackageDefinition(packageDefinition).ethrec.v1;
  }, { timeout: START_TIMEOUT_MS + 10_000 });

  after(() => {
    for (const c of clients) c.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('the certificate names the caller; metadata claiming another agency and role is ignored', async () => {
    const nhs = syntheticNhsNumber(777001);
    const camden = client(v1.RecordsService, 'camden-csc.record-system');
    const claims = new grpc.Metadata();
    claims.set('x-ethrec-agency', 'north-gp');
    claims.set('x-ethrec-role', 'data-quality-officer');
    const written = await unary(camden, 'RecordObservation', {
      observation: {
        child: { nhs_number: nhs }, record_id: 'node-tls-1', record_version: 1, system: 'dfe', code: 'BSOM',
        supplied_by: 'SELF', recorded_at: { seconds: 1764000000 },
      },
    }, claims);
    assert.equal(written.outcome, 'INSERTED');
    const child = await unary(camden, 'GetChild', { child: { nhs_number: nhs } });
    assert.deepEqual(child.observations.map((o) => o.agency), ['camden-csc']);
    // The agency the metadata named holds nothing about the child.
    const north = client(v1.RecordsService, 'north-gp.record-system');
    const hidden = await unaryError(north, 'GetChild', { child: { nhs_number: nhs } });
    assert.equal(hidden.code, grpc.status.NOT_FOUND);
    // The officer role the metadata claimed is not the caller's.
    const denied = await unaryError(client(v1.FindingsService, 'camden-csc.record-system'),
                                    'ListChildReconciliations', {}, claims);
    assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
    // The officer's own certificate may.
    // (It answers; the child has no findings, so the list is empty.)
    const listed = await unary(client(v1.FindingsService, 'partnership-dq.data-quality-officer'),
                               'ListChildReconciliations', {});
    assert.deepEqual(listed.children, []);
  });

  it('a client without a certificate is refused', async () => {
    const err = await unaryError(client(v1.DiagnosticsService, null), 'Echo', { message: 'ping' });
    assert.equal(err.code, grpc.status.UNAVAILABLE);
  });

  it('a plaintext client is refused', async () => {
    const plain = new v1.DiagnosticsService(address, grpc.credentials.createInsecure());
    clients.push(plain);
    const err = await unaryError(plain, 'Echo', { message: 'ping' });
    assert.equal(err.code, grpc.status.UNAVAILABLE);
  });
});
