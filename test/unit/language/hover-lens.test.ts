import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { hoverAt } from '../../../src/extension/language/hover.js';
import { lensPlan, trafficLensTitle, mocksLensTitle, callsPerService } from '../../../src/extension/language/lenses.js';
import { collectResponseHints, TrafficCache } from '../../../src/extension/language/traffic-hints.js';
import { indexSources } from '../../../src/engine/store/index-store.js';
import { configJsonSchema } from '../../../src/engine/config/index.js';
import { tempDir, inbound, outbound } from './helpers.js';

describe('hover', () => {
  const text = 'replay:\n  concurrency: 4\nmocks:\n  - service: pay\n    port: 9001\nvalidate:\n  tolerances:\n    $.total: 0.01\nquality_gates:\n  status_pass_rate: ">= 0.99"\n  latency_p95: "<= fast"\n';
  const at = (needle: string, d = 1) => hoverAt(text, text.indexOf(needle) + d);

  test('every key of the schema has hover docs', () => {
    const missing: string[] = [];
    const walk = (node: any, keys: (string | number)[], yamlPath: string[]) => {
      for (const [k, prop] of Object.entries<any>(node.properties ?? {})) {
        const doc = `${k}: x\n`;
        // hover on the key written at top level of a document shaped like its path
        const lines = [...yamlPath.map((p, i) => `${'  '.repeat(i)}${p}:`), `${'  '.repeat(yamlPath.length)}${doc}`];
        const t = lines.join('\n');
        const h = hoverAt(t, t.lastIndexOf(k) + 1);
        if (!h || !h.markdown.includes(String(prop.description).slice(0, 20))) missing.push([...keys, k].join('.'));
        if (prop.type === 'object' && prop.properties) walk(prop, [...keys, k], [...yamlPath, k]);
      }
    };
    walk(configJsonSchema(), [], []);
    assert.deepEqual(missing, []);
  });

  test('a key: description, type, default and a YAML example; the range is the key', () => {
    const h = at('concurrency')!;
    assert.match(h.markdown, /^\*\*replay\.concurrency\*\* · `integer`/);
    assert.match(h.markdown, /Requests in flight at once/);
    assert.match(h.markdown, /Default: `10`/);
    assert.match(h.markdown, /```yaml\nconcurrency: 10\n```/);
    assert.equal(text.slice(h.start, h.end), 'concurrency');
  });

  test('inside a list item and on a record entry: the docs of the list / record', () => {
    assert.match(at('port')!.markdown, /^\*\*mocks\[\]\.port\*\*/);
    assert.match(at('$.total')!.markdown, /^\*\*validate\.tolerances\*\*/);
  });

  test('gates: description, and the expression explained or its problem', () => {
    const ok = at('>= 0.99')!;
    assert.match(ok.markdown, /status code matched/);
    assert.match(ok.markdown, /`>= 0.99` — status_pass_rate must be at least 99%/);
    assert.match(at('status_pass_rate')!.markdown, /must be at least 99%/, 'on the key too');
    assert.match(at('<= fast')!.markdown, /⚠ `<= fast`/);
    assert.equal(hoverAt(text, text.length), undefined);
  });
});

describe('CodeLens and traffic hints', () => {
  test('lensPlan finds the lines and resolves sources (mocks without traffic read the run\'s)', () => {
    const text = '# comment\n\ntarget: http://x\ntraffic: [./a, ./b]\nmocks:\n  - service: pay\n    port: 1\n  - service: users\n    port: 2\n    traffic: ./u\n';
    const plan = lensPlan(text, '/p/reprise.yaml');
    assert.equal(plan.runLine, 2);
    assert.deepEqual(plan.traffic, { line: 3, sources: [path.resolve('/p/a'), path.resolve('/p/b')] });
    assert.deepEqual(plan.mocks, {
      line: 4,
      mocks: [
        { service: 'pay', sources: [path.resolve('/p/a'), path.resolve('/p/b')] },
        { service: 'users', sources: [path.resolve('/p/u')] },
      ],
    });
  });

  test('titles count sources, sessions and pairs; mocks count recorded calls per service', async () => {
    const dir = await tempDir();
    await fs.writeFile(
      path.join(dir, 'in.jsonl'),
      [inbound('s1', '/a', { id: 1 }), inbound('s1', '/b', { id: 2 }), inbound('s2', '/a', { id: 3 }), outbound('pay', 'http://pay/charge'), outbound('pay', 'http://pay/charge')].join('\n') + '\n',
    );
    const idx = await indexSources([path.join(dir, 'in.jsonl')]);
    assert.equal(trafficLensTitle(1, idx), '1 source · 3 sessions · 5 pairs');
    const out = await indexSources([path.join(dir, 'in.jsonl')], { direction: 'out' });
    const calls = callsPerService([{ service: 'pay', index: out }, { service: 'users', index: out }]);
    assert.equal(mocksLensTitle([{ service: 'pay' }, { service: 'users' }], calls), '2 mocks · 2 recorded calls · none recorded for users');
  });

  test('response hints: generalised JSONPaths with counts and types, header names, a bounded sample', async () => {
    const dir = await tempDir();
    const lines = [
      inbound('s', '/o', { orders: [{ id: 'a', total: 1.5 }, { id: 'b', total: 2 }], 'x-y': true }, { date: 'x' }),
      inbound('s', '/o', { orders: [], count: 0 }),
      inbound('s', '/o', { deep: { list: [[{ v: null }]] } }),
    ];
    await fs.writeFile(path.join(dir, 't.jsonl'), lines.join('\n') + '\n');
    const h = await collectResponseHints([dir]);
    assert.equal(h.sampled, 3);
    const byPath = Object.fromEntries(h.paths.map((p) => [p.path, p]));
    assert.deepEqual(byPath['$.orders'], { path: '$.orders', count: 2, types: ['array'] });
    assert.deepEqual(byPath['$.orders[*].total'], { path: '$.orders[*].total', count: 1, types: ['number'] });
    assert.ok(byPath["$['x-y']"]);
    assert.ok(byPath['$.deep.list[*][*].v']);
    assert.deepEqual(h.headers, ['content-type', 'date']);
    const first = await collectResponseHints([dir], { maxPairs: 1 });
    assert.equal(first.sampled, 1);
    assert.equal(first.paths.some((p) => p.path === '$.count'), false);
  });

  test('the cache reads a traffic set once and again after it changes', async () => {
    const dir = await tempDir();
    const f = path.join(dir, 't.jsonl');
    await fs.writeFile(f, inbound('s', '/o', { a: 1 }) + '\n');
    const cache = new TrafficCache();
    const a = await cache.responseHints([f]);
    assert.equal(await cache.responseHints([f]), a, 'same object from the cache');
    await fs.writeFile(f, inbound('s', '/o', { a: 1, b: 2 }) + '\n' + inbound('s', '/o', { c: 1 }) + '\n');
    const b = await cache.responseHints([f]);
    assert.notEqual(b, a);
    assert.ok(b.paths.some((p) => p.path === '$.c'));
    assert.equal((await cache.index([f])).total, 2);
  });
});
