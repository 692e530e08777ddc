import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, parseConfigText, configFromObject, formatIssue, type ConfigIssue } from '../../../src/engine/config/index.js';

const FULL = `target: http://localhost:8080
traffic: [./prod-traffic/, ./local-traffic/]        # several sources mixed in one run
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
replay: {concurrency: 10, time_scale: 10, max_delay: 5s, timeout: 10s, capture: {token: $.access_token}, headers: {}, include: [], exclude: []}
validate: {ignore: ["$.createdAt", "$..id", "header.date"], tolerances: {"$.total": 0.01}, headers: [content-type], shape_only: false, auto_noise: false}
quality_gates: {status_pass_rate: ">= 0.99", body_match_rate: ">= 0.95", mock_match_rate: ">= 0.98", unmatched_requests: "== 0", latency_p95_delta: "<= +10%"}
baseline: previous            # or a run id, or a path
runs_dir: .reprise/runs       # optional
`;

const ROOT = path.resolve('/proj');
const FILE = path.join(ROOT, 'reprise.yaml');

/** Parses text and returns its issues (asserting there is no config when an error is expected). */
function issuesOf(text: string): ConfigIssue[] {
  const r = parseConfigText(text, FILE);
  if (r.issues.some((i) => i.severity === 'error')) assert.equal(r.config, undefined);
  return r.issues;
}

function only(text: string): ConfigIssue {
  const issues = issuesOf(text);
  assert.equal(issues.length, 1, `expected one issue, got:\n${issues.map(formatIssue).join('\n')}`);
  return issues[0];
}

const MIN = 'target: http://localhost:8080\ntraffic: ./t\n';

describe('config: the full example', () => {
  test('loads with every value resolved', () => {
    const { config, issues } = parseConfigText(FULL, FILE);
    assert.deepEqual(issues, []);
    assert.ok(config);
    assert.equal(config.file, FILE);
    assert.equal(config.root, ROOT);
    assert.equal(config.target, 'http://localhost:8080');
    assert.deepEqual(config.traffic, [path.join(ROOT, 'prod-traffic'), path.join(ROOT, 'local-traffic')]);
    assert.deepEqual(config.mocks, [
      {
        service: 'payment-api',
        port: 8081,
        host: '127.0.0.1',
        traffic: [path.join(ROOT, 'prod-traffic/payment-api')],
        stubs: path.join(ROOT, '.reprise/stubs/payment-api'),
        env: 'PAYMENT_API_URL',
        ignore: ['$.orderId'],
        unmatched: { status: 501 },
        sequence: 'stay',
        timing: 'recorded',
      },
    ]);
    assert.deepEqual(config.replay, {
      concurrency: 10, time_scale: 10, max_delay: 5000, timeout: 10_000,
      capture: { token: '$.access_token' }, headers: {}, include: [], exclude: [], isolate_sessions: false,
    });
    assert.deepEqual(config.validate, {
      ignore: ['$.createdAt', '$..id', 'header.date'], tolerances: { '$.total': 0.01 },
      headers: ['content-type'], shape_only: false, auto_noise: false,
    });
    assert.deepEqual(config.quality_gates, {
      status_pass_rate: '>= 0.99', body_match_rate: '>= 0.95', mock_match_rate: '>= 0.98',
      unmatched_requests: '== 0', latency_p95_delta: '<= +10%',
    });
    assert.equal(config.baseline, 'previous');
    assert.equal(config.runs_dir, path.join(ROOT, '.reprise/runs'));
  });

  test('loadConfig reads it from disk, also given the folder', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-cfg-'));
    try {
      await fs.writeFile(path.join(dir, 'reprise.yaml'), FULL);
      for (const arg of [path.join(dir, 'reprise.yaml'), dir]) {
        const { config, issues } = await loadConfig(arg);
        assert.deepEqual(issues, []);
        assert.equal(config?.file, path.join(dir, 'reprise.yaml'));
        assert.deepEqual(config?.traffic, [path.join(dir, 'prod-traffic'), path.join(dir, 'local-traffic')]);
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('config: defaults', () => {
  test('a minimal config gets every default', () => {
    const { config, issues } = parseConfigText(`${MIN}mocks:\n  - service: users\n    port: 9001\n`, FILE);
    assert.deepEqual(issues, []);
    assert.ok(config);
    assert.deepEqual(config.traffic, [path.join(ROOT, 't')]);
    assert.deepEqual(config.replay, { concurrency: 10, time_scale: 1, max_delay: 5000, timeout: 10_000, capture: {}, headers: {}, include: [], exclude: [], isolate_sessions: false });
    assert.deepEqual(config.validate, { ignore: [], tolerances: {}, headers: ['content-type'], shape_only: false, auto_noise: false });
    assert.deepEqual(config.quality_gates, {});
    assert.equal(config.baseline, undefined);
    assert.equal(config.runs_dir, path.join(ROOT, '.reprise/runs'));
    assert.deepEqual(config.mocks[0], {
      service: 'users', port: 9001, host: '127.0.0.1', traffic: [], stubs: path.join(ROOT, '.reprise/stubs/users'),
      unmatched: { status: 501 }, sequence: 'stay', timing: 'none', ignore: [],
    });
  });

  test('variants: single strings, timing factors, passthrough, header values, absolute paths', () => {
    const text = `target: https://svc.local:8443
traffic: /abs/traffic.jsonl
mocks:
  - service: a
    port: 9001
    timing: "0.5x"
    unmatched: {passthrough: "https://real.example"}
    traffic: [./a1, ./a2]
    stubs: ./my-stubs
  - service: b
    port: 9002
    timing: 2
replay:
  max_delay: 1.5m
  timeout: 250
  headers: {x-version: 2, authorization: "Bearer {{token}}"}
  include: "GET /orders/**"
validate: {headers: [Content-Type, ETag]}
runs_dir: ../runs
`;
    const { config, issues } = parseConfigText(text, FILE);
    assert.deepEqual(issues, []);
    assert.ok(config);
    assert.deepEqual(config.traffic, [path.resolve('/abs/traffic.jsonl')]);
    assert.equal(config.mocks[0].timing, 0.5);
    assert.deepEqual(config.mocks[0].unmatched, { status: 501, passthrough: 'https://real.example' });
    assert.deepEqual(config.mocks[0].traffic, [path.join(ROOT, 'a1'), path.join(ROOT, 'a2')]);
    assert.equal(config.mocks[0].stubs, path.join(ROOT, 'my-stubs'));
    assert.equal(config.mocks[1].timing, 2);
    assert.equal(config.replay.max_delay, 90_000);
    assert.equal(config.replay.timeout, 250);
    assert.deepEqual(config.replay.headers, { 'x-version': '2', authorization: 'Bearer {{token}}' });
    assert.deepEqual(config.replay.include, ['GET /orders/**']);
    assert.deepEqual(config.validate.headers, ['content-type', 'etag']);
    assert.equal(config.runs_dir, path.resolve(ROOT, '../runs'));
  });
});

describe('config: every issue code at its exact position', () => {
  test('yaml-syntax', () => {
    const i = only(`${MIN}replay: {concurrency: 10\nvalidate: {}\n`);
    assert.equal(i.code, 'yaml-syntax');
    assert.equal(i.severity, 'error');
    assert.equal(`${i.line}:${i.column}`, '4:1');
  });

  test('yaml-syntax: an unquoted ">" gate gets a hint to quote it (and no knock-on errors)', () => {
    const i = only(`${MIN}quality_gates:\n  status_pass_rate: >= 0.99\n`);
    assert.equal(i.code, 'yaml-syntax');
    assert.equal(`${i.line}:${i.column}`, '4:22');
    assert.match(i.message, /must be quoted/);
  });

  test('yaml-syntax: duplicate keys', () => {
    const i = only(`${MIN}replay:\n  concurrency: 1\n  concurrency: 2\n`);
    assert.equal(i.code, 'yaml-syntax');
    assert.equal(`${i.line}:${i.column}`, '5:3');
    assert.match(i.message, /duplicate key/);
  });

  test('unknown-key, with did-you-mean and a suggestion', () => {
    const i = only(`${MIN}replay:\n  concurency: 5\n`);
    assert.equal(i.code, 'unknown-key');
    assert.equal(i.key, 'replay.concurency');
    assert.deepEqual([i.line, i.column, i.endLine, i.endColumn], [4, 3, 4, 13]);
    assert.equal(i.suggestion, 'concurrency');
    assert.match(i.message, /did you mean `concurrency`\?/);
  });

  test('unknown-key far from any known key lists the allowed keys and suggests nothing', () => {
    const i = only(`${MIN}validate:\n  zzzzzz: 1\n`);
    assert.equal(i.code, 'unknown-key');
    assert.equal(i.suggestion, undefined);
    assert.match(i.message, /allowed: ignore, tolerances, headers, shape_only, auto_noise/);
  });

  test('did-you-mean ignores case and dashes', () => {
    const i = only(`${MIN}replay:\n  Time-Scale: 2\n`);
    assert.equal(i.suggestion, 'time_scale');
  });

  test('invalid-type', () => {
    const i = only(`${MIN}replay:\n  concurrency: lots\n`);
    assert.equal(i.code, 'invalid-type');
    assert.equal(i.key, 'replay.concurrency');
    assert.deepEqual([i.line, i.column, i.endLine, i.endColumn], [4, 16, 4, 20]);
  });

  test('invalid-value', () => {
    const i = only(`${MIN}mocks:\n  - service: a\n    port: 8081\n    sequence: loop\n`);
    assert.equal(i.code, 'invalid-value');
    assert.equal(i.key, 'mocks[0].sequence');
    assert.equal(`${i.line}:${i.column}`, '6:15');
    assert.match(i.message, /"stay" or "cycle"/);
  });

  test('missing-key at top level and inside a list item', () => {
    const top = only('target: http://localhost:8080\n');
    assert.equal(top.code, 'missing-key');
    assert.equal(top.key, 'traffic');
    assert.equal(`${top.line}:${top.column}`, '1:1');

    const inner = only(`${MIN}mocks:\n  - service: a\n    port: 8081\n  - service: b\n`);
    assert.equal(inner.code, 'missing-key');
    assert.equal(inner.key, 'mocks[1].port');
    assert.equal(`${inner.line}:${inner.column}`, '6:5');
  });

  test('missing-key points out a misspelt neighbour', () => {
    const issues = issuesOf('target: http://localhost:8080\ntrafic: ./t\n');
    assert.deepEqual(issues.map((i) => i.code).sort(), ['missing-key', 'unknown-key']);
    assert.match(issues.find((i) => i.code === 'missing-key')!.message, /`trafic` a misspelling/);
  });

  test('bad-gate', () => {
    const i = only(`${MIN}quality_gates:\n  error_rate: "< 5"\n`);
    assert.equal(i.code, 'bad-gate');
    assert.equal(i.key, 'quality_gates.error_rate');
    assert.equal(`${i.line}:${i.column}`, '4:15');
    assert.match(i.message, /did you mean "< 0\.05"/);
  });

  test('bad-gate: a number instead of an expression', () => {
    const i = only(`${MIN}quality_gates:\n  unmatched_requests: 0\n`);
    assert.equal(i.code, 'bad-gate');
    assert.equal(`${i.line}:${i.column}`, '4:23');
  });

  test('bad-duration', () => {
    const i = only(`${MIN}replay:\n  timeout: 10 secs\n`);
    assert.equal(i.code, 'bad-duration');
    assert.equal(i.key, 'replay.timeout');
    assert.deepEqual([i.line, i.column, i.endLine, i.endColumn], [4, 12, 4, 19]);
  });

  test('unknown-gate', () => {
    const i = only(`${MIN}quality_gates:\n  latency_p96: "<= 1s"\n`);
    assert.equal(i.code, 'unknown-gate');
    assert.equal(i.key, 'quality_gates.latency_p96');
    assert.equal(`${i.line}:${i.column}`, '4:3');
    assert.equal(i.suggestion, 'latency_p95');
  });

  test('duplicate-port, on the second mock', () => {
    const i = only(`${MIN}mocks:\n  - service: a\n    port: 8081\n  - service: b\n    port: 8081\n`);
    assert.equal(i.code, 'duplicate-port');
    assert.equal(i.key, 'mocks[1].port');
    assert.equal(`${i.line}:${i.column}`, '7:11');
    assert.match(i.message, /already used by mock `a`/);
  });

  test('duplicate-port: a mock on the target port', () => {
    const i = only(`${MIN}mocks:\n  - service: a\n    port: 8080\n`);
    assert.equal(i.code, 'duplicate-port');
    assert.match(i.message, /target's port/);
  });

  test('duplicate-service', () => {
    const i = only(`${MIN}mocks:\n  - service: a\n    port: 8081\n  - service: a\n    port: 8082\n`);
    assert.equal(i.code, 'duplicate-service');
    assert.equal(`${i.line}:${i.column}`, '6:14');
  });

  test('missing-file names the file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-cfg-'));
    try {
      const file = path.join(dir, 'nope.yaml');
      const { config, issues } = await loadConfig(file);
      assert.equal(config, undefined);
      assert.equal(issues.length, 1);
      assert.equal(issues[0].code, 'missing-file');
      assert.equal(issues[0].file, file);
      assert.ok(issues[0].message.includes(file));
      const empty = await loadConfig(dir);
      assert.equal(empty.issues[0].code, 'missing-file');
      assert.match(empty.issues[0].message, /no reprise\.yaml/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('an empty file reports both required keys', () => {
    const issues = issuesOf('# nothing yet\n');
    assert.deepEqual(issues.map((i) => `${i.code} ${i.key}`), ['missing-key target', 'missing-key traffic']);
  });

  test('a list at the top level is an invalid-type', () => {
    const i = only('- a\n- b\n');
    assert.equal(i.code, 'invalid-type');
    assert.match(i.message, /expected a mapping, got a list/);
  });
});

describe('config: many problems reported at once', () => {
  test('every error in a file, sorted by position, nothing lost', () => {
    const text = `target: localhost:8080
traffic: ./t
mocks:
  - service: a
    port: 8081
    timing: fast
  - service: b
    port: 8081
    unmatched: {status: 999}
  - port: x
replay:
  concurency: 5
  max_delay: 5 sec
  capture: {"1bad": foo, ok: nope}
validate: {tolerances: {"$.total": -1}, shape_only: "yes"}
quality_gates:
  body_match_rate: "0.95"
  latency_p96: "<= 1s"
  latency_p95: "<= 10%"
`;
    const issues = issuesOf(text);
    const got = issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.key}`);
    assert.deepEqual(got, [
      '1:9 invalid-value target',
      '6:13 invalid-value mocks[0].timing',
      '8:11 duplicate-port mocks[1].port',
      '9:25 invalid-value mocks[1].unmatched.status',
      '10:5 missing-key mocks[2].service',
      '10:11 invalid-type mocks[2].port',
      '12:3 unknown-key replay.concurency',
      '13:14 bad-duration replay.max_delay',
      '14:13 invalid-value replay.capture["1bad"]',
      '14:30 invalid-value replay.capture.ok',
      '15:36 invalid-value validate.tolerances["$.total"]',
      '15:53 invalid-type validate.shape_only',
      '17:20 bad-gate quality_gates.body_match_rate',
      '18:3 unknown-gate quality_gates.latency_p96',
      '19:16 bad-gate quality_gates.latency_p95',
    ]);
    assert.ok(issues.every((i) => i.file === FILE && i.severity === 'error'));
    assert.match(issues[0].message, /did you mean "http:\/\/localhost:8080"/);
  });

  test('list items with wrong types are reported per item', () => {
    const issues = issuesOf('target: http://localhost:8080\ntraffic: [./a, 5, ./b, true]\n');
    assert.deepEqual(issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.key}`), ['2:16 invalid-type traffic[1]', '2:24 invalid-type traffic[3]']);
  });
});

describe('config: formatIssue and in-memory configs', () => {
  test('formatIssue gives file:line:col: severity [code] key: message', () => {
    const i = only(`${MIN}replay:\n  concurency: 5\n`);
    assert.equal(formatIssue(i), `${FILE}:4:3: error [unknown-key] replay.concurency: unknown key \`concurency\` in replay: did you mean \`concurrency\`?`);
    assert.equal(
      formatIssue({ file: '', line: 0, column: 0, key: 'x', message: 'm', code: 'c', severity: 'warning' }),
      '<config>: warning [c] x: m',
    );
  });

  test('configFromObject resolves against the given root', () => {
    const { config, issues } = configFromObject({ target: 'http://127.0.0.1:3000', traffic: ['a.har'], replay: { timeout: '2s' }, mocks: [{ service: 's', port: 0 }] }, '/work/x');
    assert.deepEqual(issues, []);
    assert.equal(config?.file, '');
    assert.equal(config?.root, path.resolve('/work/x'));
    assert.deepEqual(config?.traffic, [path.resolve('/work/x/a.har')]);
    assert.equal(config?.replay.timeout, 2000);
    assert.equal(config?.mocks[0].port, 0);
  });

  test('configFromObject reports problems without positions', () => {
    const { config, issues } = configFromObject({ target: 'http://x', traffic: 'a', replay: { concurrency: 0, bogus: 1 } }, '/r');
    assert.equal(config, undefined);
    assert.deepEqual(issues.map((i) => `${i.line} ${i.code} ${i.key}`).sort(), ['0 invalid-value replay.concurrency', '0 unknown-key replay.bogus']);
  });

  test('two mocks on port 0 are not a duplicate (0 picks a free port)', () => {
    const { issues } = configFromObject({ target: 'http://x', traffic: 'a', mocks: [{ service: 'a', port: 0 }, { service: 'b', port: 0 }] }, '/r');
    assert.deepEqual(issues, []);
  });
});
