import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { configJsonSchema, describeKey } from '../../../src/engine/config/index.js';
import { KNOWN_GATES } from '../../../src/engine/gates/index.js';

const FULL = `target: http://localhost:8080
traffic: [./prod-traffic/, ./local-traffic/]
mocks:
  - service: payment-api
    port: 8081
    traffic: ./prod-traffic/payment-api/
    env: PAYMENT_API_URL
    ignore: ["$.orderId"]
    unmatched: {status: 501}
    sequence: stay
    timing: recorded
    host: 127.0.0.1
  - service: users
    port: 8082
    unmatched: {passthrough: "https://real.example"}
    timing: "0.5x"
replay: {concurrency: 10, time_scale: 10, max_delay: 5s, timeout: 10s, capture: {token: $.access_token}, headers: {}, include: [], exclude: []}
validate: {ignore: ["$.createdAt", "$..id", "header.date"], tolerances: {"$.total": 0.01}, headers: [content-type], shape_only: false, auto_noise: false}
quality_gates: {status_pass_rate: ">= 0.99", body_match_rate: ">= 0.95", mock_match_rate: ">= 0.98", unmatched_requests: "== 0", latency_p95_delta: "<= +10%"}
baseline: previous
runs_dir: .reprise/runs
`;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword('markdownDescription'); // read by the YAML language server
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i);
  return ajv.compile(configJsonSchema());
}

test('the JSON Schema is draft-07 and accepts the full example config', () => {
  const schema = configJsonSchema();
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  const validate = validator();
  const ok = validate(parse(FULL));
  assert.equal(ok, true, JSON.stringify(validate.errors));
});

test('the JSON Schema rejects unknown keys, unknown gates, bad durations and missing keys', () => {
  const validate = validator();
  const base = parse(FULL);
  const cases: [string, (c: any) => void, string][] = [
    ['unknown top-level key', (c) => { c.trafic = './x'; }, 'additionalProperties'],
    ['unknown replay key', (c) => { c.replay.concurency = 3; }, 'additionalProperties'],
    ['unknown gate', (c) => { c.quality_gates.latency_p96 = '<= 1s'; }, 'additionalProperties'],
    ['bad duration', (c) => { c.replay.timeout = '10 secs'; }, 'pattern'],
    ['bad sequence', (c) => { c.mocks[0].sequence = 'loop'; }, 'enum'],
    ['missing target', (c) => { delete c.target; }, 'required'],
  ];
  for (const [what, mutate, keyword] of cases) {
    const c = structuredClone(base);
    mutate(c);
    assert.equal(validate(c), false, `${what} should be rejected`);
    assert.ok(validate.errors!.some((e) => e.keyword === keyword), `${what}: ${JSON.stringify(validate.errors)}`);
  }
});

test('every property in the JSON Schema has a description and an example (they drive hover and completion)', () => {
  const missing: string[] = [];
  const walk = (node: any, where: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, prop] of Object.entries<any>(node.properties ?? {})) {
      const at = `${where}.${k}`;
      if (typeof prop.description !== 'string' || prop.description.length < 10) missing.push(`${at} description`);
      if (!Array.isArray(prop.examples) || prop.examples.length === 0) missing.push(`${at} examples`);
      walk(prop, at);
      walk(prop.items, `${at}[]`);
    }
  };
  const schema = configJsonSchema();
  walk(schema, '$');
  assert.deepEqual(missing, []);
  const gates = (schema as any).properties.quality_gates.properties;
  assert.deepEqual(Object.keys(gates), Object.keys(KNOWN_GATES));
  assert.equal(gates.latency_p95_delta.description, KNOWN_GATES.latency_p95_delta.description);
});

test('describeKey reads descriptions, examples and defaults for hover', () => {
  const d = describeKey(['replay', 'concurrency']);
  assert.equal(d?.default, 10);
  assert.equal(d?.example, 10);
  assert.match(d!.description!, /in flight/);
  assert.match(describeKey(['mocks', 0, 'timing'])!.description!, /recorded/);
  assert.equal(describeKey(['replay', 'nope']), undefined);
});

test('media/reprise.schema.json is up to date (regenerate: node --import tsx scripts/gen-schema.mjs)', () => {
  const file = path.resolve(__dirname, '../../../media/reprise.schema.json');
  const onDisk = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(onDisk, configJsonSchema());
});
