// An independent client of ethrecd, written the way an integration engineer
// outside C++ would: @grpc/grpc-js with @grpc/proto-loader reading proto/
// directly, no generated code and none of our C++ sources. It starts the real
// ethrecd binary on a free loopback port with a temporary database, calls it,
// and stops it with SIGTERM. Synthetic data only: the NHS numbers are made up
// in the 999 range, never a real person's.
//
// Run from tests/node: `npm ci && node --test`. ETHRECD names the server
// binary (default: ../../build/service/ethrecd relative to this file).
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const {
  PROTO_DIR, START_TIMEOUT_MS, STOP_TIMEOUT_MS, syntheticNhsNumber, startServer, waitForExit,
  unary: call, unaryError: callError,
} = require('./ethrecd');

const AGENCY = 'node-client-test';
const ROLE = 'record-system';

// ---------------------------------------------------------------------------
// Helpers (the shared ones are in ethrecd.js)

function identity(agency = AGENCY, role = ROLE) {
  const md = new grpc.Metadata();
  md.set('x-ethrec-agency', agency);
  md.set('x-ethrec-role', role);
  return md;
}

// Calls with this test's identity metadata unless `metadata` is given.
const unary = (client, method, request, metadata = identity()) => call(client, method, request, metadata);
const unaryError = (client, method, request, metadata = identity()) => callError(client, method, request, metadata);

// The google.rpc.Status error model, decoded from the "grpc-status-details-bin"
// trailer with our wire-compatible copies of googleapis' status.proto and
// error_details.proto. google/protobuf/any.proto comes bundled with protobufjs.
const rpcRoot = (() => {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
  root.resolveAll();
  return root;
})();
const RpcStatus = rpcRoot.lookupType('google.rpc.Status');

function statusDetails(err) {
  const values = err.metadata ? err.metadata.get('grpc-status-details-bin') : [];
  assert.equal(values.length, 1, 'expected one grpc-status-details-bin trailer');
  const status = RpcStatus.decode(values[0]);
  const details = status.details.map((any) => {
    const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    const type = rpcRoot.lookupType(typeName);
    return { type: typeName, value: type.toObject(type.decode(any.value), { defaults: true }) };
  });
  return { code: status.code, message: status.message, details };
}

// ---------------------------------------------------------------------------
// Tests

describe('ethrecd through @grpc/grpc-js and proto/', { timeout: 120_000 }, () => {
  let tmpDir;
  let server;
  let taxonomy;
  let records;
  let findings;

  before(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-node-'));
    server = await startServer(path.join(tmpDir, 'ethrecd.db'));

    const packageDefinition = protoLoader.loadSync(
      ['ethrec/v1/taxonomy_service.proto', 'ethrec/v1/records_service.proto', 'ethrec/v1/findings_service.proto'],
      { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const v1 = grpc.loadPackageDefinition(packageDefinition).ethrec.v1;
    const address = `127.0.0.1:${server.port}`;
    taxonomy = new v1.TaxonomyService(address, grpc.credentials.createInsecure());
    records = new v1.RecordsService(address, grpc.credentials.createInsecure());
    findings = new v1.FindingsService(address, grpc.credentials.createInsecure());
  }, { timeout: START_TIMEOUT_MS + 5_000 });

  after(() => {
    if (taxonomy) taxonomy.close();
    if (records) records.close();
    if (findings) findings.close();
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');  // only if the SIGTERM test did not get to stop it
    }
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('reports its code systems on start-up', () => {
    assert.ok(server.port > 0);
    assert.ok(server.codeSystems > 0);
  });

  it('Normalize: a DfE extended code keeps its detail', async () => {
    const { value } = await unary(taxonomy, 'Normalize', { system: 'dfe', code: 'BSOM' });
    assert.equal(value.outcome, 'CATEGORIES');
    assert.equal(value.categories[0].category, 'BLACK_AFRICAN');
    assert.equal(value.categories[0].confidence, 1);
    assert.equal(value.detail, 'Somali');
    assert.equal(value.relationship, 'SOURCE_IS_NARROWER_THAN_TARGET');
    assert.equal(value.basis, 'SELF_DEFINED');
    assert.equal(value.system, 'dfe');
    assert.equal(value.code, 'BSOM');
    assert.equal(value.decided_by_text, false);
    assert.ok(value.map_id.length > 0 && value.map_version.length > 0);
    assert.ok(value.explanation.length > 0);
  });

  it('Normalize: free text', async () => {
    const { value } = await unary(taxonomy, 'Normalize', { text: 'black british - caribbean' });
    assert.equal(value.outcome, 'CATEGORIES');
    assert.equal(value.categories[0].category, 'BLACK_CARIBBEAN');
    assert.equal(value.decided_by_text, true);
  });

  it('NormalizeBatch: each item gets its own result or error, ids echoed', async () => {
    const { results } = await unary(taxonomy, 'NormalizeBatch', {
      items: [
        { id: 'good', request: { system: 'dfe', code: 'BSOM' } },
        { id: 'bad', request: { system: 'no-such-system', code: 'X' } },
      ],
    });
    assert.equal(results.length, 2);
    assert.equal(results[0].id, 'good');
    assert.equal(results[0].result, 'value');
    assert.equal(results[0].value.categories[0].category, 'BLACK_AFRICAN');
    assert.equal(results[0].value.detail, 'Somali');
    assert.equal(results[1].id, 'bad');
    assert.equal(results[1].result, 'error');
    assert.equal(results[1].error.code, grpc.status.NOT_FOUND);
    assert.equal(results[1].error.field, 'system');
    assert.match(results[1].error.message, /no-such-system/);
  });

  it('an unknown system is NOT_FOUND, lists the known ones and names the field in a BadRequest', async () => {
    const err = await unaryError(taxonomy, 'Normalize', { system: 'no-such-system', code: 'X' });
    assert.equal(err.code, grpc.status.NOT_FOUND);
    assert.match(err.details, /no-such-system/);
    for (const known of ['dfe', 'nhs-ethnic-category', 'police-sde']) assert.match(err.details, new RegExp(known));

    const status = statusDetails(err);
    assert.equal(status.code, grpc.status.NOT_FOUND);
    assert.equal(status.message, err.details);
    const badRequest = status.details.find((d) => d.type === 'google.rpc.BadRequest');
    assert.ok(badRequest, `no BadRequest in ${JSON.stringify(status.details)}`);
    assert.deepEqual(badRequest.value.field_violations.map((v) => v.field), ['system']);
    const info = status.details.find((d) => d.type === 'google.rpc.ErrorInfo');
    assert.ok(info, `no ErrorInfo in ${JSON.stringify(status.details)}`);
    assert.equal(info.value.domain, 'ethrec');
  });

  it('RecordObservation then GetChild returns it normalised, with its version', async () => {
    const nhsNumber = syntheticNhsNumber(424242);
    const observation = {
      child: { nhs_number: nhsNumber, agency_child_id: 'child-1' },
      record_id: 'eth-1',
      record_version: 1,
      system: 'dfe',
      code: 'BSOM',
      supplied_by: 'SELF',
      recorded_at: { seconds: 1764000000, nanos: 0 },
    };
    const first = await unary(records, 'RecordObservation', { observation });
    assert.equal(first.outcome, 'INSERTED');
    assert.equal(first.value.categories[0].category, 'BLACK_AFRICAN');
    assert.equal(first.value.detail, 'Somali');

    const retry = await unary(records, 'RecordObservation', { observation });
    assert.equal(retry.outcome, 'DUPLICATE');

    const child = await unary(records, 'GetChild', { child: { nhs_number: nhsNumber } });
    assert.deepEqual(child.nhs_numbers, [nhsNumber]);
    assert.deepEqual(child.agency_child_ids, [{ agency: AGENCY, agency_child_id: 'child-1' }]);
    assert.equal(child.observations.length, 1);
    const obs = child.observations[0];
    assert.equal(obs.agency, AGENCY);  // from the call metadata, not the message
    assert.equal(obs.record_id, 'eth-1');
    assert.equal(obs.versions.length, 1);
    const v = obs.versions[0];
    assert.equal(v.record_version, '1');  // int64 as a string (longs: String)
    assert.equal(v.system, 'dfe');
    assert.equal(v.code, 'BSOM');
    assert.equal(v.supplied_by, 'SELF');
    assert.equal(v.recorded_at.seconds, '1764000000');
    assert.ok(Number(v.received_at.seconds) > 0);
    assert.equal(v.value.outcome, 'CATEGORIES');
    assert.equal(v.value.categories[0].category, 'BLACK_AFRICAN');
    assert.equal(v.value.detail, 'Somali');
  });

  it('findings: a GP record that contradicts the child is listed, summarised and reviewed', async () => {
    const nhsNumber = syntheticNhsNumber(515151);
    const record = (agency, recordId, system, code, suppliedBy, seconds) => unary(records, 'RecordObservation', {
      observation: {
        child: { nhs_number: nhsNumber }, record_id: recordId, record_version: 1, system, code,
        supplied_by: suppliedBy, recorded_at: { seconds, nanos: 0 },
      },
    }, identity(agency));
    await record('node-school', 's-1', 'dfe', 'BCRB', 'SELF', 1764000000);
    await record('node-gp', 'g-1', 'nhs-ethnic-category', 'A', 'PRACTITIONER', 1764100000);

    const officer = () => identity('node-partnership', 'data-quality-officer');
    const listed = await unary(findings, 'ListFindings', { agency: 'node-gp', page_size: 2 }, officer());
    const all = [...listed.findings];
    let token = listed.next_page_token;
    for (let pages = 0; token !== '' && pages < 10; pages++) {
      const next = await unary(findings, 'ListFindings', { agency: 'node-gp', page_size: 2, page_token: token }, officer());
      all.push(...next.findings);
      token = next.next_page_token;
    }
    assert.deepEqual(all.map((f) => f.kind).sort(), ['NOT_SELF_DEFINED', 'SELF_ID_MISMATCH']);
    const mismatch = all.find((f) => f.kind === 'SELF_ID_MISMATCH');
    assert.equal(mismatch.severity, 'HIGH');
    assert.equal(mismatch.suggested_code, 'M');
    assert.equal(mismatch.suggested_display, 'Black or Black British - Caribbean');
    assert.equal(mismatch.status, 'OPEN');
    assert.equal(mismatch.record_id, 'g-1');
    assert.deepEqual(mismatch.record_categories, ['WHITE_BRITISH']);
    assert.deepEqual(mismatch.reference_categories, ['BLACK_CARIBBEAN']);
    assert.ok(!JSON.stringify(all).includes(nhsNumber), 'findings never carry the NHS number');

    const summary = await unary(findings, 'SummarizeFindings', { agency: 'node-gp' }, officer());
    assert.equal(summary.completeness.length, 1);
    assert.equal(summary.completeness[0].children, '1');
    assert.equal(summary.completeness[0].children_self_defined, '0');

    const resolved = await unary(findings, 'ReviewFinding',
      { finding_id: mismatch.finding_id, action: 'RESOLVE', note: 'GP asked to record what the child says' }, officer());
    assert.equal(resolved.status, 'RESOLVED');
    assert.equal(resolved.history.at(-1).action, 'RESOLVED');
    assert.equal(resolved.history.at(-1).by_role, 'data-quality-officer');

    // An agency's own system sees only its own findings and cannot review.
    const denied = await unaryError(findings, 'ListFindings', { agency: 'node-gp' }, identity('node-school'));
    assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
    const noReview = await unaryError(findings, 'ReviewFinding',
      { finding_id: mismatch.finding_id, action: 'REOPEN' }, identity('node-gp'));
    assert.equal(noReview.code, grpc.status.PERMISSION_DENIED);
  });

  it('data entry: validate_only feeds back the finding and the fix, stores nothing; the sheet shows the verdicts', async () => {
    const nhsNumber = syntheticNhsNumber(626262);
    const observation = (recordId, system, code, suppliedBy, seconds) => ({
      child: { nhs_number: nhsNumber }, record_id: recordId, record_version: 1, system, code,
      supplied_by: suppliedBy, recorded_at: { seconds, nanos: 0 },
    });
    await unary(records, 'RecordObservation', { observation: observation('s-9', 'dfe', 'BSOM', 'SELF', 1764000000) },
      identity('node-school-2'));
    const gp = observation('g-9', 'nhs-ethnic-category', 'A', 'UNKNOWN', 1764100000);
    const dry = await unary(records, 'RecordObservation', { observation: gp, validate_only: true }, identity('node-gp-2'));
    assert.equal(dry.outcome, 'INSERTED');
    assert.equal(dry.findings.length, 1);
    assert.equal(dry.findings[0].action, 'RAISED');
    assert.equal(dry.findings[0].finding.kind, 'SELF_ID_MISMATCH');
    assert.equal(dry.findings[0].finding.finding_id, '0');
    assert.equal(dry.findings[0].finding.suggested_code, 'PA');  // the NHS extended code for Somali
    assert.deepEqual(dry.reference.categories, ['BLACK_AFRICAN']);
    assert.equal(dry.reference.detail, 'Somali');
    assert.equal(dry.reference.supplied_by, 'SELF');
    assert.equal(dry.reference.stated_at.seconds, '1764000000');
    assert.ok(!JSON.stringify(dry).includes('node-school-2'), 'the reference never says which agency holds it');
    // Nothing stored: the GP holds no record about the child yet.
    const notYet = await unaryError(findings, 'GetChildReconciliation', { child: { nhs_number: nhsNumber } },
      identity('node-gp-2'));
    assert.equal(notYet.code, grpc.status.NOT_FOUND);

    const written = await unary(records, 'RecordObservation', { observation: gp }, identity('node-gp-2'));
    assert.ok(Number(written.findings[0].finding.finding_id) > 0);
    const sheet = await unary(findings, 'GetChildReconciliation', { child: { nhs_number: nhsNumber } },
      identity('node-partnership', 'data-quality-officer'));
    const verdicts = sheet.agencies.map((a) => `${a.agency}=${a.verdict}`);
    assert.deepEqual(verdicts, ['node-gp-2=VERDICT_DIFFERS', 'node-school-2=VERDICT_REFERENCE']);
    assert.equal(sheet.agencies[0].records[0].suggested_code, 'PA');
    assert.equal(sheet.reference_record.agency, 'node-school-2');
  });

  it('a call without identity metadata is UNAUTHENTICATED', async () => {
    const err = await unaryError(taxonomy, 'Normalize', { system: 'dfe', code: 'BSOM' }, new grpc.Metadata());
    assert.equal(err.code, grpc.status.UNAUTHENTICATED);
    assert.match(err.details, /x-ethrec-agency/);
  });

  it('stops cleanly on SIGTERM', async () => {
    taxonomy.close();
    records.close();
    findings.close();
    assert.ok(server.child.kill('SIGTERM'));
    const { code, signal } = await waitForExit(server.child, STOP_TIMEOUT_MS);
    assert.equal(signal, null, `ethrecd was killed by ${signal}; stderr:\n${server.stderr()}`);
    assert.equal(code, 0, `ethrecd exited ${code}; stderr:\n${server.stderr()}`);
  });
});
