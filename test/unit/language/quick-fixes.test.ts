import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { configDiagnostics } from '../../../src/engine/config/diagnostics.js';
import { parseConfigText, type ConfigIssue } from '../../../src/engine/config/index.js';
import { quickFixes, freePortNear } from '../../../src/extension/language/quick-fixes.js';
import { applyEdits, tempDir } from './helpers.js';

const FILE = path.resolve('/proj/reprise.yaml');

function issue(text: string, code: string): ConfigIssue {
  const i = parseConfigText(text, FILE).issues.find((x) => x.code === code);
  assert.ok(i, `no ${code} issue in:\n${text}`);
  return i;
}

/** Applies the first fix with edits and returns the new text (checking it fixes the issue). */
function fixed(text: string, code: string): { title: string; text: string } {
  const fixes = quickFixes(text, FILE, issue(text, code));
  const f = fixes.find((x) => x.edits);
  assert.ok(f, `no edit fix for ${code}`);
  return { title: f.title, text: applyEdits(text, f.edits!) };
}

describe('quick fixes', () => {
  test('an unknown key is renamed to the suggested one', () => {
    const text = 'target: http://localhost:8080\ntraffic: ./t\nreplay:\n  concurency: 4\n';
    const r = fixed(text, 'unknown-key');
    assert.equal(r.title, 'Rename to `concurrency`');
    assert.equal(r.text, text.replace('concurency', 'concurrency'));
    assert.deepEqual(parseConfigText(r.text, FILE).issues, []);
  });

  test('an unknown gate is renamed to the known one', () => {
    const text = 'target: http://localhost:8080\ntraffic: ./t\nquality_gates:\n  status_passrate: ">= 0.99"\n';
    const r = fixed(text, 'unknown-gate');
    assert.equal(r.text, text.replace('status_passrate', 'status_pass_rate'));
  });

  test('a clashing mock port moves to the next port no mock and no local target uses', () => {
    const text = 'target: http://127.0.0.1:9002\ntraffic: ./t\nmocks:\n  - service: a\n    port: 9001\n  - service: b\n    port: 9001\n  - service: c\n    port: 9003\n';
    const r = fixed(text, 'duplicate-port');
    assert.equal(r.title, 'Change port to 9004');
    assert.match(r.text, /service: b\n {4}port: 9004\n/);
    assert.deepEqual(parseConfigText(r.text, FILE).issues, []);
    assert.equal(freePortNear('mocks: []\n', 0), 8081);
  });

  test('an unquoted > gate expression is quoted', () => {
    const text = 'target: http://localhost:8080\ntraffic: ./t\nquality_gates:\n  status_pass_rate: >= 0.99   # keep\n';
    const r = fixed(text, 'yaml-syntax');
    assert.equal(r.text, text.replace('>= 0.99', '">= 0.99"'));
    assert.deepEqual(parseConfigText(r.text, FILE).issues, []);
  });

  test('a missing top-level key is added with its example', () => {
    const text = 'target: http://localhost:8080';
    const r = fixed(text, 'missing-key');
    assert.equal(r.title, 'Add `traffic`');
    assert.equal(r.text, 'target: http://localhost:8080\ntraffic:\n  - ./prod-traffic/\n  - ./local-traffic/\n');
  });

  test('a missing traffic path: change to the close existing one, or create the folder / file', async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, 'traffic'));
    const file = path.join(dir, 'reprise.yaml');
    const text = 'target: http://localhost:8080\ntraffic:\n  - "./trafic/"\n  - ./new/in.jsonl\n';
    const { issues } = await configDiagnostics(text, file);
    const [near, fresh] = issues;
    const f1 = quickFixes(text, file, near);
    assert.deepEqual(f1.map((f) => f.title), ['Change to `./traffic/`', 'Create folder ./trafic/']);
    assert.equal(applyEdits(text, f1[0].edits!), text.replace('"./trafic/"', '"./traffic/"'), 'quotes kept');
    assert.deepEqual(f1[1].create, { path: path.join(dir, 'trafic'), kind: 'dir' });
    const f2 = quickFixes(text, file, fresh);
    assert.deepEqual(f2.map((f) => [f.title, f.create, f.preferred]), [['Create empty file ./new/in.jsonl', { path: path.join(dir, 'new/in.jsonl'), kind: 'file' }, true]]);
  });
});
