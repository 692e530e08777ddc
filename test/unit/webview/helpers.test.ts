import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { addIgnoreText, setToleranceText, addIgnore } from '../../../src/extension/webviews/config-edit.js';
import { acceptActualInFile } from '../../../src/extension/webviews/traffic-edit.js';
import { sessionPrefixIds } from '../../../src/extension/webviews/rerun-scope.js';
import { contentSecurityPolicy } from '../../../src/extension/webviews/csp.js';

const CONFIG = `# orders example
target: http://127.0.0.1:8080
validate:
  # generated per run
  ignore:
    - $.createdAt
  headers: [content-type]
quality_gates:
  status_pass_rate: ">= 0.99"
`;

describe('reprise.yaml edits from the diff screen', () => {
  test('adds a path to validate.ignore keeping comments and the rest of the file', () => {
    const r = addIgnoreText(CONFIG, '$.total');
    assert.equal(r.changed, true);
    assert.match(r.text, /# orders example/);
    assert.match(r.text, /# generated per run/);
    assert.deepEqual(parse(r.text).validate.ignore, ['$.createdAt', '$.total']);
    assert.deepEqual(parse(r.text).quality_gates, { status_pass_rate: '>= 0.99' });
    assert.equal(addIgnoreText(r.text, '$.total').changed, false, 'no duplicate');
  });

  test('creates validate and validate.ignore when absent; keeps odd keys quoted', () => {
    const r = addIgnoreText('target: http://x\n', "$['x-y'][*].id");
    assert.deepEqual(parse(r.text).validate, { ignore: ["$['x-y'][*].id"] });
    const flow = addIgnoreText('validate: {ignore: [$.a]}\n', 'header.date');
    assert.deepEqual(parse(flow.text).validate.ignore, ['$.a', 'header.date']);
  });

  test('sets a tolerance, replacing an existing one', () => {
    const a = setToleranceText(CONFIG, '$.total', 0.5);
    assert.deepEqual(parse(a.text).validate.tolerances, { '$.total': 0.5 });
    const b = setToleranceText(a.text, '$.total', 2);
    assert.deepEqual(parse(b.text).validate.tolerances, { '$.total': 2 });
    assert.throws(() => setToleranceText(CONFIG, '$.total', -1), /≥ 0/);
  });

  test('refuses to edit YAML with errors or the wrong shape, naming the file', async () => {
    assert.throws(() => addIgnoreText('validate: [1, 2\n', '$.a', '/w/reprise.yaml'), /\/w\/reprise\.yaml: cannot edit/);
    assert.throws(() => addIgnoreText('validate:\n  ignore: {a: 1}\n', '$.a'), /not a list/);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-edit-'));
    const file = path.join(dir, 'reprise.yaml');
    await fs.writeFile(file, CONFIG);
    assert.equal(await addIgnore(file, '$.tax'), true);
    assert.deepEqual(parse(await fs.readFile(file, 'utf8')).validate.ignore, ['$.createdAt', '$.tax']);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('accept actual as expected', () => {
  test('rewrites only the pair’s line of a JSONL recording', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-accept-'));
    const file = path.join(dir, 'inbound.jsonl');
    const p1 = { id: 'a', session: 's', seq: 0, ts: 't', direction: 'in', request: { method: 'GET', url: '/a', headers: {} }, response: { status: 200, headers: {}, body: '{"v":1}' } };
    const p2 = { ...p1, id: 'b', request: { ...p1.request, url: '/b' } };
    const line1 = JSON.stringify(p1);
    await fs.writeFile(file, `${line1}\n${JSON.stringify(p2)}\n`);
    await acceptActualInFile(file, 2, 'b', { status: 201, headers: { 'content-type': 'application/json' }, body: '{"v":2}' });
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    assert.equal(lines[0], line1, 'other lines untouched');
    assert.deepEqual(JSON.parse(lines[1]).response, { status: 201, headers: { 'content-type': 'application/json' }, body: '{"v":2}' });
    assert.equal(lines[2], '');
    await assert.rejects(acceptActualInFile(file, 1, 'b', { status: 200, headers: {} }), /holds pair 'a', not 'b'/);
    await assert.rejects(acceptActualInFile(file, 2, 'b', { status: 200, headers: {}, truncated: true }), /cut/);
    await assert.rejects(acceptActualInFile(path.join(dir, 'x.har'), 1, 'b', { status: 200, headers: {} }), /only \.jsonl/);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('rerun scope', () => {
  test('a request is replayed with the earlier steps of its session', () => {
    const steps = [
      { pairId: 'login-a', session: 'a', seq: 0 },
      { pairId: 'order-a', session: 'a', seq: 1 },
      { pairId: 'read-a', session: 'a', seq: 2 },
      { pairId: 'login-b', session: 'b', seq: 0 },
      { pairId: 'order-b', session: 'b', seq: 1 },
      { pairId: 'health', session: 'probe', seq: 0 },
    ];
    assert.deepEqual([...sessionPrefixIds(steps, new Set(['order-a']))].sort(), ['login-a', 'order-a']);
    assert.deepEqual([...sessionPrefixIds(steps, new Set(['read-a', 'order-b']))].sort(), ['login-a', 'login-b', 'order-a', 'order-b', 'read-a']);
    assert.deepEqual([...sessionPrefixIds(steps, new Set(['gone']))], ['gone']);
  });
});

describe('webview CSP', () => {
  test('default-src none, nonce-only scripts, styles/fonts from the webview source, workers only when asked', () => {
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'N0nce');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.match(csp, /style-src https:\/\/x\.vscode-cdn\.net 'nonce-N0nce'/);
    assert.match(csp, /font-src https:\/\/x\.vscode-cdn\.net/);
    assert.ok(!csp.includes('unsafe'), 'no unsafe-inline / unsafe-eval');
    assert.ok(!csp.includes('worker-src'));
    assert.match(contentSecurityPolicy('s', 'n', { workers: true }), /; style-src-attr 'unsafe-inline'; worker-src blob:$/);
  });
});
