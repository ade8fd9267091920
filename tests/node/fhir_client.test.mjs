// An independent FHIR client (npm fhir-kit-client) against the real ethrecd's
// /fhir endpoint (--http_listen, plaintext on loopback: the caller is named
// by the x-ethrec-agency and x-ethrec-role headers): metadata, read, search,
// $lookup, and $translate forward and reverse, whose answers must agree with
// the gRPC Translate and SuggestCode of the same server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { Client } from 'fhir-kit-client';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { PROTO_DIR, START_TIMEOUT_MS, startServer, unary } = require('./ethrecd.js');

const TAXONOMY = 'urn:ethrec:taxonomy:ons-2021-ew';
const CALLER = { 'x-ethrec-agency': 'camden-csc', 'x-ethrec-role': 'record-system' };

// A Parameters resource's parameters named `name`.
const params = (resource, name) => resource.parameter.filter((p) => p.name === name);
const part = (match, name) => match.part.find((p) => p.name === name);

// The R4 equivalence of a source code relative to its target, as ethrec's
// Relationship says it (source relative to target).
const EQUIVALENCE = {
  EQUIVALENT: 'equivalent',
  SOURCE_IS_NARROWER_THAN_TARGET: 'wider',
  SOURCE_IS_BROADER_THAN_TARGET: 'narrower',
  RELATED_TO: 'relatedto',
  NOT_RELATED_TO: 'disjoint',
};

describe('ethrecd /fhir through fhir-kit-client', { timeout: 120_000 }, () => {
  let tmpDir;
  let server;
  let fhir;
  let taxonomy;
  let systems;  // id -> url, from the gRPC ListCodeSystems... and /fhir search
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(CALLER)) metadata.set(k, v);

  before(async () => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ethrec-fhir-'));
    server = await startServer(path.join(tmpDir, 'ethrecd.db'), ['--http_listen=127.0.0.1:0']);
    fhir = new Client({ baseUrl: `http://127.0.0.1:${server.httpPort}/fhir`, customHeaders: CALLER });
    const definition = protoLoader.loadSync(['ethrec/v1/taxonomy_service.proto'],
      { includeDirs: [PROTO_DIR], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
    const v1 = grpc.loadPackageDefinition(definition).ethrec.v1;
    taxonomy = new v1.TaxonomyService(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const bundle = await fhir.search({ resourceType: 'CodeSystem' });
    systems = Object.fromEntries(bundle.entry.map((e) => [e.resource.id, e.resource.url]));
  }, { timeout: START_TIMEOUT_MS + 10_000 });

  after(() => {
    if (taxonomy) taxonomy.close();
    if (server && server.child.exitCode === null) server.child.kill('SIGTERM');
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('reads the CapabilityStatement', async () => {
    const capability = await fhir.capabilityStatement();
    assert.equal(capability.resourceType, 'CapabilityStatement');
    assert.equal(capability.fhirVersion, '4.0.1');
    const types = capability.rest[0].resource.map((r) => r.type).sort();
    assert.deepEqual(types, ['CodeSystem', 'ConceptMap']);
  });

  it('reads and searches CodeSystem and ConceptMap', async () => {
    const list = await unary(taxonomy, 'ListCodeSystems', {}, metadata);
    // Every code system gRPC lists is a CodeSystem here, with its map.
    for (const s of list.code_systems) {
      const cs = await fhir.read({ resourceType: 'CodeSystem', id: s.id });
      assert.equal(cs.version, s.version, s.id);
      const maps = await fhir.search({ resourceType: 'ConceptMap', searchParams: { 'source-uri': cs.url } });
      assert.equal(maps.total, 1, `one map from ${cs.url}`);
      assert.equal(maps.entry[0].resource.id, s.map_id);
    }
    await assert.rejects(fhir.read({ resourceType: 'ConceptMap', id: 'no-such-map' }),
      (err) => err.response.status === 404 && err.response.data.resourceType === 'OperationOutcome');
  });

  it('$translate between code systems agrees with gRPC Translate (GET and POST)', async () => {
    const cases = [['dfe', 'BSOM', 'nhs-ethnic-category'], ['dfe', 'WROM', 'nhs-ethnic-category'],
      ['nhs-ethnic-category', 'A', 'dfe']];
    // And the first code of some other lists, whatever they are.
    for (const id of ['ons-2011', 'snomed-ct', 'police-sde-16']) {
      const cs = await fhir.read({ resourceType: 'CodeSystem', id });
      cases.push([id, cs.concept[0].code, 'dfe']);
    }
    for (const [from, code, to] of cases) {
      const grpcAnswer = await unary(taxonomy, 'Translate', { from_system: from, code, to_system: to }, metadata);
      const viaGet = await fhir.operation({
        resourceType: 'ConceptMap', name: '$translate', method: 'GET',
        input: { system: systems[from], code, targetsystem: systems[to] },
      });
      const viaPost = await fhir.operation({
        resourceType: 'ConceptMap', name: '$translate',
        input: { resourceType: 'Parameters', parameter: [
          { name: 'coding', valueCoding: { system: systems[from], code } },
          { name: 'targetsystem', valueUri: systems[to] }] },
      });
      for (const answer of [viaGet, viaPost]) {
        assert.equal(params(answer, 'result')[0].valueBoolean, true, `${from} ${code} -> ${to}`);
        const [match] = params(answer, 'match');
        const coding = part(match, 'concept').valueCoding;
        assert.equal(coding.code, grpcAnswer.result.code, `${from} ${code} -> ${to}`);
        assert.equal(coding.system, systems[to]);
        assert.equal(part(match, 'equivalence').valueCode, EQUIVALENCE[grpcAnswer.result.relationship]);
      }
    }
  });

  it('$translate that gRPC Translate refuses answers result false with its message', async () => {
    // Police IC codes are an officer's perception: never a translation target.
    const err = await unary(taxonomy, 'Translate', { from_system: 'dfe', code: 'WBRI', to_system: 'police-ic' }, metadata)
      .then(() => null, (e) => e);
    assert.ok(err, 'gRPC Translate refuses police-ic as a target');
    const answer = await fhir.operation({
      resourceType: 'ConceptMap', name: '$translate', method: 'GET',
      input: { system: systems.dfe, code: 'WBRI', targetsystem: systems['police-ic'] },
    });
    assert.equal(params(answer, 'result')[0].valueBoolean, false);
    assert.equal(params(answer, 'match').length, 0);
    assert.equal(params(answer, 'message')[0].valueString, err.details);
  });

  it('$translate into the taxonomy gives every category Normalize gives', async () => {
    for (const [id, code] of [['nhs-ethnic-category', 'C'], ['dfe', 'BSOM'], ['police-ic', 'IC1']]) {
      if (!systems[id]) continue;
      const normalized = await unary(taxonomy, 'Normalize', { system: id, code }, metadata);
      const answer = await fhir.operation({
        resourceType: 'ConceptMap', name: '$translate', method: 'GET', input: { system: systems[id], code },
      });
      const got = params(answer, 'match').map((m) => part(m, 'concept').valueCoding);
      assert.ok(got.every((c) => c.system === TAXONOMY));
      assert.deepEqual(got.map((c) => c.code).sort(),
        normalized.value.categories.map((c) => c.category).sort(), `${id} ${code}`);
    }
  });

  it('reverse $translate lists SuggestCode\'s code first, then every code the map sends there', async () => {
    for (const [category, to] of [['BLACK_AFRICAN', 'dfe'], ['WHITE_ROMA', 'nhs-ethnic-category'], ['ASIAN_INDIAN', 'dfe']]) {
      const suggested = await unary(taxonomy, 'SuggestCode', { system: to, category }, metadata);
      const answer = await fhir.operation({
        resourceType: 'ConceptMap', name: '$translate', method: 'GET',
        input: { system: TAXONOMY, code: category, targetsystem: systems[to], reverse: true },
      });
      const matches = params(answer, 'match');
      assert.ok(matches.length >= 1, `${category} -> ${to}`);
      assert.equal(part(matches[0], 'concept').valueCoding.code, suggested.result.code, `${category} -> ${to}`);
      // Every other match maps to the category when translated forward.
      for (const m of matches.slice(1)) {
        const c = part(m, 'concept').valueCoding;
        const forward = await fhir.operation({
          resourceType: 'ConceptMap', name: '$translate', method: 'GET', input: { system: c.system, code: c.code },
        });
        assert.ok(params(forward, 'match').some((f) => part(f, 'concept').valueCoding.code === category),
          `${c.code} maps to ${category}`);
      }
    }
  });

  it('$lookup gives the code\'s display and $validate-code checks it', async () => {
    const cs = await fhir.read({ resourceType: 'CodeSystem', id: 'dfe' });
    const concept = cs.concept.find((c) => c.code === 'BSOM');
    const lookup = await fhir.operation({
      resourceType: 'CodeSystem', name: '$lookup', method: 'GET', input: { system: cs.url, code: 'BSOM' },
    });
    assert.equal(params(lookup, 'display')[0].valueString, concept.display);
    assert.equal(params(lookup, 'version')[0].valueString, cs.version);
    const valid = await fhir.operation({
      resourceType: 'CodeSystem', name: '$validate-code', method: 'GET',
      input: { url: cs.url, code: 'BSOM', display: concept.display },
    });
    assert.equal(params(valid, 'result')[0].valueBoolean, true);
    const invalid = await fhir.operation({
      resourceType: 'CodeSystem', name: '$validate-code', method: 'GET', input: { url: cs.url, code: 'NOPE' },
    });
    assert.equal(params(invalid, 'result')[0].valueBoolean, false);
    await assert.rejects(fhir.operation({
      resourceType: 'CodeSystem', name: '$lookup', method: 'GET', input: { system: cs.url, code: 'NOPE' },
    }), (err) => err.response.status === 404 && err.response.data.issue[0].code === 'not-found');
  });
});
