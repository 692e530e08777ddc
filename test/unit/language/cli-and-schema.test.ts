/**
 * `reprise validate-config` prints the editor's diagnostics (same messages and codes) as file:line:col
 * lines; the JSON Schemas validate every example config and stay in step with the zod schemas; the
 * package contributes them to the YAML and JSON language services.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { cli, repoRoot } from '../cli/helpers.js';
import { configDiagnostics } from '../../../src/engine/config/diagnostics.js';
import { configJsonSchema } from '../../../src/engine/config/index.js';
import { stubJsonSchema } from '../../../src/engine/mocks/stub.js';
import { tempDir } from './helpers.js';

const BROKEN = `target: http://127.0.0.1:8080
traffic:
  - ./traffic/
  - ./trafic/in.jsonl
mocks:
  - service: pay
    port: 9001
  - service: users
    port: 9001
replay:
  concurency: 4
validate:
  ignore: ["$.items[?(@.x)]"]
quality_gates:
  status_pass_rate: "=> 0.99"
`;

describe('reprise validate-config', () => {
  test('prints every problem as file:line:col with the editor\'s messages and codes, exit 2', async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, 'traffic'));
    await fs.writeFile(path.join(dir, 'traffic', 'in.jsonl'), '');
    const file = path.join(dir, 'reprise.yaml');
    await fs.writeFile(file, BROKEN);
    const r = await cli(['validate-config'], dir);
    assert.equal(r.code, 2, r.out + r.err);
    const lines = r.out.trim().split('\n');
    const rel = lines.map((l) => l.replace(file, 'reprise.yaml'));
    assert.deepEqual(rel.slice(0, -1).map((l) => l.replace(/: (?!error|warning).*$/, '')), [
      'reprise.yaml:4:5: error [missing-file] traffic[1]',
      'reprise.yaml:9:11: error [duplicate-port] mocks[1].port',
      'reprise.yaml:11:3: error [unknown-key] replay.concurency',
      'reprise.yaml:13:12: error [invalid-value] validate.ignore[0]',
      'reprise.yaml:15:21: error [bad-gate] quality_gates.status_pass_rate',
    ]);
    assert.equal(lines.at(-1), `5 errors in ${file}`);
    // the same issues the editor shows, message for message
    const { issues } = await configDiagnostics(BROKEN, file);
    assert.deepEqual(issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.severity} [${i.code}] ${i.key}: ${i.message}`), lines.slice(0, -1));
    assert.match(lines[0], /did you mean `\.\/traffic\/in\.jsonl`\?/);
    assert.match(lines[2], /did you mean `concurrency`\?/);
  });

  test('--config names the file; a valid config is ok (exit 0)', async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'in.jsonl'), '');
    await fs.writeFile(path.join(dir, 'my.reprise.yaml'), 'target: http://127.0.0.1:8080\ntraffic: ./in.jsonl\n');
    const r = await cli(['validate-config', '--config', 'my.reprise.yaml'], dir);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /my\.reprise\.yaml: ok \(1 traffic source, 0 mocks, 0 gates\)/);
  });
});

function ajv(draft2020 = false) {
  const opts = { allErrors: true, strict: false, allowUnionTypes: true };
  const a = draft2020 ? new Ajv2020(opts) : new Ajv(opts);
  a.addFormat('uri', /^[a-z][a-z0-9+.-]*:\/\/\S+$/i);
  return a;
}

function findConfigs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) findConfigs(p, out);
    else if (/^(reprise\.ya?ml|.+\.reprise\.yaml)$/.test(name)) out.push(p);
  }
  return out;
}

describe('JSON Schemas', () => {
  test('the config schema validates every example config in the repo', () => {
    const configs = findConfigs(path.join(repoRoot, 'examples'));
    assert.ok(configs.length >= 1, 'no example configs found');
    const validate = ajv().compile(configJsonSchema());
    for (const f of configs) {
      const ok = validate(parse(readFileSync(f, 'utf8')));
      assert.equal(ok, true, `${f}: ${JSON.stringify(validate.errors)}`);
    }
  });

  test('the stub schema accepts stub files and rejects a malformed one', () => {
    assert.equal(stubJsonSchema().$schema, 'https://json-schema.org/draft/2020-12/schema');
    const validate = ajv(true).compile(stubJsonSchema());
    const stub = { request: { method: 'GET', path: '/orders/1' }, response: { status: 200, json: { id: 1 } } };
    assert.equal(validate(stub), true, JSON.stringify(validate.errors));
    assert.equal(validate([stub, { ...stub, priority: 1 }]), true);
    assert.equal(validate({ request: { method: 'GET' }, response: { status: 'ok' } }), false);
    assert.equal(validate({ ...stub, reqest: {} }), false);
  });

  test('media/stub.schema.json and media/reprise.schema.json are up to date (node --import tsx scripts/gen-schema.mjs)', () => {
    assert.deepEqual(JSON.parse(readFileSync(path.join(repoRoot, 'media/stub.schema.json'), 'utf8')), stubJsonSchema());
    assert.deepEqual(JSON.parse(readFileSync(path.join(repoRoot, 'media/reprise.schema.json'), 'utf8')), configJsonSchema());
  });

  test('package.json contributes them through yamlValidation and jsonValidation, and snippets stay scoped', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const yaml = pkg.contributes.yamlValidation as { fileMatch: string[]; url: string }[];
    const json = pkg.contributes.jsonValidation as { fileMatch: string[]; url: string }[];
    const yamlFor = (name: string) => yaml.find((v) => v.fileMatch.includes(name))?.url;
    assert.equal(yamlFor('reprise.yaml'), './media/reprise.schema.json');
    assert.equal(yamlFor('*.reprise.yaml'), './media/reprise.schema.json');
    assert.equal(json.find((v) => v.fileMatch.includes('reprise.json'))?.url, './media/reprise.schema.json');
    assert.equal(json.find((v) => v.fileMatch.some((m) => m.includes('.reprise/stubs/')))?.url, './media/stub.schema.json');
    for (const v of [...yaml, ...json]) assert.ok(statSync(path.join(repoRoot, v.url)).isFile(), v.url);
    assert.ok(pkg.activationEvents.includes('onLanguage:yaml'), 'the features must be live when a config is opened first');
  });
});
