import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { configDiagnostics, checkConfigFile, type DiagnosticsFs } from '../../../src/engine/config/diagnostics.js';
import { formatIssue } from '../../../src/engine/config/index.js';
import { tempDir } from './helpers.js';

const MIN = 'target: http://localhost:8080\n';

describe('configDiagnostics', () => {
  test('a traffic path that does not exist: missing-file on the value, with a did-you-mean from the folder', async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, 'traffic'));
    await fs.writeFile(path.join(dir, 'traffic', 'inbound.jsonl'), '');
    const file = path.join(dir, 'reprise.yaml');
    const text = `${MIN}traffic:\n  - ./traffic/inbound.jsonl\n  - ./trafic/inbound.jsonl\n  - ./nowhere/\n`;
    const { config, issues } = await configDiagnostics(text, file);
    assert.equal(config, undefined, 'an error leaves no config');
    assert.deepEqual(
      issues.map((i) => [i.code, i.key, i.line, i.column, i.endLine, i.endColumn, i.suggestion]),
      [
        ['missing-file', 'traffic[1]', 4, 5, 4, 27, './traffic/inbound.jsonl'],
        ['missing-file', 'traffic[2]', 5, 5, 5, 15, undefined],
      ],
    );
    assert.match(issues[0].message, /traffic source not found: \.\/trafic\/inbound\.jsonl .*did you mean `\.\/traffic\/inbound\.jsonl`\?/);
    assert.match(issues[1].message, /record traffic there, or fix the path/);
  });

  test('a mock\'s traffic is checked too; fs: false skips the file-system checks', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'reprise.yaml');
    const text = `${MIN}traffic: .\nmocks:\n  - service: pay\n    port: 9001\n    traffic: ./pay/\n`;
    const r = await configDiagnostics(text, file);
    assert.deepEqual(r.issues.map((i) => `${i.key}:${i.code}`), ['mocks[0].traffic:missing-file']);
    const skipped = await configDiagnostics(text, file, { fs: false });
    assert.deepEqual(skipped.issues, []);
    assert.ok(skipped.config);
  });

  test('a custom fs is used (editors without a disk)', async () => {
    const seen: string[] = [];
    const fake: DiagnosticsFs = { kind: async (p) => (seen.push(p), p.endsWith('here') ? 'dir' : undefined), list: async () => ['here'] };
    const r = await configDiagnostics(`${MIN}traffic: ./her\n`, '/virtual/reprise.yaml', { fs: fake });
    assert.equal(r.issues[0].suggestion, './here');
    assert.ok(seen.includes(path.resolve('/virtual/her')));
  });

  test('JSONPaths that do not parse in validate.ignore, tolerances and a mock\'s ignore', async () => {
    const text = `${MIN}traffic: .\nvalidate:\n  ignore: [$.ok, "$.items[?(@.x)]", header.date]\n  tolerances:\n    "$.a[": 0.1\n    $.total: 0.01\nmocks:\n  - service: pay\n    port: 9001\n    ignore: ["$..", $.fine]\n`;
    const { issues } = await configDiagnostics(text, '/p/reprise.yaml', { fs: false });
    assert.deepEqual(issues.map((i) => [i.key, i.code, i.line, i.column]), [
      ['validate.ignore[1]', 'invalid-value', 4, 18],
      ['validate.tolerances["$.a["]', 'invalid-value', 6, 5],
      ['mocks[0].ignore[0]', 'invalid-value', 11, 14],
    ]);
    assert.match(issues[0].message, /invalid JSONPath .*write a JSONPath such as/);
  });

  test('schema issues come through unchanged, sorted by position, with the extra checks among them', async () => {
    const text = `target: http://localhost:8080\ntrafic: ./x\nmocks:\n  - service: a\n    port: 9001\n  - service: b\n    port: 9001\nquality_gates:\n  status_pass_rate: "=> 0.99"\n`;
    const { issues } = await configDiagnostics(text, '/p/reprise.yaml', { fs: false });
    assert.deepEqual(issues.map((i) => i.code), ['missing-key', 'unknown-key', 'duplicate-port', 'bad-gate']);
    const unknown = issues.find((i) => i.code === 'unknown-key')!;
    assert.equal(unknown.suggestion, 'traffic');
    assert.deepEqual([unknown.line, unknown.column, unknown.endLine, unknown.endColumn], [2, 1, 2, 7]);
  });

  test('checkConfigFile: a folder, a missing file, and the extra checks on a file', async () => {
    const dir = await tempDir();
    const missing = await checkConfigFile(path.join(dir, 'nope.yaml'));
    assert.equal(missing.issues[0].code, 'missing-file');
    assert.equal(missing.issues[0].line, 0);
    await fs.writeFile(path.join(dir, 'reprise.yaml'), `${MIN}traffic: ./gone.jsonl\n`);
    const r = await checkConfigFile(dir);
    assert.equal(r.config, undefined);
    assert.equal(formatIssue(r.issues[0]), `${path.join(dir, 'reprise.yaml')}:2:10: error [missing-file] traffic: traffic source not found: ./gone.jsonl (${path.join(dir, 'gone.jsonl')}) — record traffic there, or fix the path`);
    await fs.writeFile(path.join(dir, 'gone.jsonl'), '');
    const ok = await checkConfigFile(dir);
    assert.deepEqual(ok.issues, []);
    assert.equal(ok.config?.traffic[0], path.join(dir, 'gone.jsonl'));
  });
});
