// Every FHIR resource that ethrec ships (mapping/data/*.json: the code
// systems, the taxonomy and the maps into it) must be valid FHIR R4, checked
// by an independent validator: the npm `fhir` package (FHIR.js), which works
// offline from the R4 structure definitions and value sets it bundles. It
// checks element names, cardinality, types and required code bindings, e.g.
// ConceptMap.group.element.target.equivalence (R4) and that no R5-only
// element such as target.relationship is present.
//
// A failure lists, for each invalid file, its distinct messages with their
// locations (array indexes folded, with a count), so one bad pattern repeated
// on 600 targets reads as one line.
'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { Fhir } = require('fhir');

const DATA_DIR = path.resolve(__dirname, '..', '..', 'mapping', 'data');
// The README's worked example of a local list (ethrec --maps DIR).
const EXAMPLE_DIR = path.resolve(__dirname, '..', 'testdata', 'local_maps', 'valid');
const FHIR_TYPES = new Set(['CodeSystem', 'ConceptMap']);
// ethrec's own, non-FHIR documents beside the resources.
const NON_FHIR_TYPES = new Set(['EthrecLexicon']);
// The standard cross-version extension carrying the R5 relationship in R4, and
// the official R5 -> R4 mapping (FHIR Extensions Pack, ConceptMap5to4B).
const R5_RELATIONSHIP_EXTENSION =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-ConceptMap.group.element.target.relationship';
const R4_EQUIVALENCE_OF = {
  'related-to': 'relatedto',
  equivalent: 'equivalent',
  'source-is-narrower-than-target': 'wider',
  'source-is-broader-than-target': 'narrower',
  'not-related-to': 'unmatched',
};

function jsonFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

function readResource(file, dir = DATA_DIR) {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

// "file:\n  message..." for each invalid resource of `resources`.
function invalidResources(resources) {
  const fhir = new Fhir();
  const invalid = [];
  for (const { file, resource } of resources) {
    const { valid, lines } = errorLines(fhir, resource);
    if (!valid) invalid.push(`${file}:\n  ${lines.join('\n  ')}`);
  }
  return invalid;
}

// The validator's errors for one resource, as "severity location: message (xN)" lines.
function errorLines(fhir, resource) {
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  const counts = new Map();
  for (const m of result.messages) {
    if (m.severity !== 'error' && m.severity !== 'fatal') continue;
    const key = `${m.severity} ${m.location.replace(/\[\d+\]/g, '[]')}: ${m.message}`;
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  return { valid: result.valid, lines: [...counts].map(([k, n]) => (n > 1 ? `${k} (x${n})` : k)) };
}

describe('shipped FHIR resources', () => {
  const files = jsonFiles(DATA_DIR);
  const resources = files
    .map((file) => ({ file, resource: readResource(file) }))
    .filter(({ resource }) => FHIR_TYPES.has(resource.resourceType));

  it('every data file is a FHIR CodeSystem or ConceptMap, or one of our lexicons', () => {
    for (const file of files) {
      const type = readResource(file).resourceType;
      assert.ok(FHIR_TYPES.has(type) || NON_FHIR_TYPES.has(type), `${file}: resourceType ${type}`);
    }
    const count = (type) => resources.filter(({ resource }) => resource.resourceType === type).length;
    // 11 code systems and the taxonomy; one map per code system.
    assert.equal(count('CodeSystem'), 12);
    assert.equal(count('ConceptMap'), 11);
  });

  it('is valid FHIR R4 by the npm fhir validator', () => {
    const invalid = invalidResources(resources);
    assert.ok(invalid.length === 0,
      `${invalid.length} of ${resources.length} resources are not valid FHIR R4:\n${invalid.join('\n')}`);
  });

  it('includes the worked example of a local list, also valid FHIR R4', () => {
    const example = jsonFiles(EXAMPLE_DIR).map((file) => ({ file, resource: readResource(file, EXAMPLE_DIR) }));
    assert.equal(example.length, 2);
    assert.deepEqual(invalidResources(example), []);
  });

  it('finds the R5 form invalid, so the check can fail', () => {
    const { resource } = resources.find(({ resource: r }) => r.resourceType === 'ConceptMap');
    const r5 = structuredClone(resource);
    const target = r5.group[0].element[0].target[0];
    target.relationship = target.extension[0].valueCode;
    delete target.equivalence;
    delete target.extension;
    const { valid, lines } = errorLines(new Fhir(), r5);
    assert.equal(valid, false);
    assert.deepEqual(lines, [
      'error ConceptMap.group[].element[].target[].equivalence: Missing property',
      'error ConceptMap.group[].element[].target[].relationship: Unexpected property',
    ]);
  });

  it('keeps the R5 relationship beside each R4 equivalence, and they agree', () => {
    const problems = [];
    for (const { file, resource } of resources) {
      if (resource.resourceType !== 'ConceptMap') continue;
      resource.group.forEach((group, g) => group.element.forEach((element, e) => {
        (element.target || []).forEach((target, t) => {
          const where = `${file}: group[${g}].element[${e}].target[${t}] (${element.code} -> ${target.code})`;
          const ext = (target.extension || []).filter((x) => x.url === R5_RELATIONSHIP_EXTENSION);
          if (ext.length !== 1) {
            problems.push(`${where}: ${ext.length} R5 relationship extensions, expected 1`);
          } else if (R4_EQUIVALENCE_OF[ext[0].valueCode] !== target.equivalence) {
            problems.push(`${where}: R5 ${ext[0].valueCode} is R4 ${R4_EQUIVALENCE_OF[ext[0].valueCode]}, ` +
                          `not ${target.equivalence}`);
          }
        });
      }));
    }
    assert.deepEqual(problems, []);
  });
});
