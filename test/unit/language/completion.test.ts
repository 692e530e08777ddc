import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cursorContext, nodeAt, LineIndex } from '../../../src/extension/language/yaml-context.js';
import { completeAt, wantsResponseHints } from '../../../src/extension/language/completion.js';
import { GATE_NAMES } from '../../../src/engine/gates/index.js';
import { cursor } from './helpers.js';

const ctxOf = (marked: string) => {
  const { text, offset } = cursor(marked);
  return cursorContext(text, offset);
};
const itemsOf = (marked: string) => {
  const { text, offset } = cursor(marked);
  return completeAt(text, offset).items;
};
const labels = (marked: string) => itemsOf(marked).map((i) => i.label);

describe('cursor → YAML path', () => {
  test('a key being typed in a nested mapping', () => {
    const c = ctxOf('target: http://x\nreplay:\n  concurrency: 4\n  ti|\nvalidate: {}\n');
    assert.equal(c?.kind, 'key');
    assert.deepEqual(c?.path, ['replay']);
    assert.equal(c?.prefix, 'ti');
    assert.deepEqual(c?.siblings, ['concurrency']);
    assert.equal(c?.column, 2);
  });

  test('an empty line takes the mapping of its indentation', () => {
    assert.deepEqual(ctxOf('replay:\n  concurrency: 4\n  |\n')?.path, ['replay']);
    assert.deepEqual(ctxOf('replay:\n  concurrency: 4\n|\n')?.path, []);
    const inMock = ctxOf('mocks:\n  - service: a\n    port: 1\n    |\n');
    assert.deepEqual(inMock?.path, ['mocks', 0]);
    assert.deepEqual(inMock?.siblings, ['service', 'port']);
  });

  test('values, list items, quoted and flow values', () => {
    assert.deepEqual(ctxOf('mocks:\n  - service: a\n    sequence: |\n'), {
      kind: 'value', path: ['mocks', 0, 'sequence'], prefix: '', start: 36, end: 36, siblings: [], hasColon: false,
      quoted: false, mustQuote: false, column: 14, flow: false,
    });
    const item = ctxOf('validate:\n  ignore:\n    - $.cr|\n');
    assert.deepEqual(item?.path, ['validate', 'ignore', 0]);
    assert.equal(item?.prefix, '$.cr');
    const quoted = ctxOf('quality_gates:\n  status_pass_rate: ">= 0.9|9"\n');
    assert.equal(quoted?.quoted, true);
    assert.equal(quoted?.prefix, '>= 0.9');
    assert.equal(quoted!.end - quoted!.start, '>= 0.99'.length, 'the whole quoted content is replaced');
    const flow = ctxOf('replay: {concurrency: 10, ti|}\n');
    assert.equal(flow?.kind, 'key');
    assert.equal(flow?.flow, true);
    assert.deepEqual(flow?.path, ['replay']);
  });

  test('a bare > value (a YAML block indicator) is still completed, and must be quoted', () => {
    const c = ctxOf('quality_gates:\n  status_pass_rate: >|\n');
    assert.equal(c?.kind, 'value');
    assert.deepEqual(c?.path, ['quality_gates', 'status_pass_rate']);
    assert.equal(c?.mustQuote, true);
    assert.equal(c?.prefix, '>');
  });

  test('in a comment there is nothing to complete', () => {
    assert.equal(ctxOf('replay: # conc|\n'), undefined);
    assert.equal(ctxOf('# |\n'), undefined);
  });

  test('editing inside an existing key replaces the whole key and keeps its value', () => {
    const { text, offset } = cursor('replay:\n  concur|rency: 4\n');
    const c = cursorContext(text, offset)!;
    assert.equal(c.kind, 'key');
    assert.equal(text.slice(c.start, c.end), 'concurrency');
    assert.equal(c.hasColon, true);
    const item = completeAt(text, offset).items.find((i) => i.label === 'timeout');
    assert.equal(item?.insertText, 'timeout', 'no second ": value" when the colon is there');
  });

  test('nodeAt finds keys and values with their paths', () => {
    const text = 'replay:\n  concurrency: 4\nmocks:\n  - service: pay\n';
    assert.deepEqual(nodeAt(text, text.indexOf('concurrency') + 3), { kind: 'key', path: ['replay', 'concurrency'], start: 10, end: 21 });
    const v = nodeAt(text, text.indexOf('pay') + 1);
    assert.equal(v?.kind, 'value');
    assert.deepEqual(v?.path, ['mocks', 0, 'service']);
    assert.equal(v?.value, 'pay');
  });

  test('LineIndex converts offsets and 0-based positions both ways', () => {
    const idx = new LineIndex('ab\r\ncd\nef');
    assert.deepEqual(idx.positionAt(4), { line: 1, character: 0 });
    assert.equal(idx.offsetAt({ line: 2, character: 1 }), 8);
    assert.equal(idx.offsetAt({ line: 0, character: 99 }), 2, 'clamped before the CR');
    assert.equal(idx.lineText(0), 'ab');
    assert.equal(idx.lineCount(), 3);
  });
});

describe('completion items', () => {
  test('top-level keys not yet present, with snippets for a mock, a traffic source and a gate', () => {
    const l = labels('target: http://x\n|\n');
    assert.ok(!l.includes('target'), 'a present key is not offered again');
    for (const k of ['traffic', 'mocks', 'replay', 'validate', 'quality_gates', 'baseline', 'runs_dir']) assert.ok(l.includes(k), k);
    for (const s of ['mock', 'traffic source', 'gate']) assert.ok(l.includes(s), `snippet ${s}`);
    const mock = itemsOf('target: http://x\n|\n').find((i) => i.label === 'mock')!;
    assert.equal(mock.kind, 'snippet');
    assert.equal(mock.insertText, 'mocks:\n  - service: ${1:payment-api}\n    port: ${2:8081}\n    env: ${3:PAYMENT_API_URL}\n    traffic: ${4:./traffic/payment-api/}');
  });

  test('keys are aware of the mapping: replay keys in replay, mock keys in a mock item', () => {
    const replay = labels('replay:\n  concurrency: 4\n  |\n');
    assert.ok(replay.includes('timeout') && replay.includes('time_scale'));
    assert.ok(!replay.includes('concurrency') && !replay.includes('target'));
    const mock = labels('mocks:\n  - |\n');
    assert.ok(mock.includes('service') && mock.includes('port') && mock.includes('mock'));
    assert.ok(!mock.includes('replay'));
    const gates = labels('quality_gates:\n  status_pass_rate: ">= 0.99"\n  |\n');
    assert.deepEqual(gates.filter((g) => g !== 'gate').sort(), GATE_NAMES.filter((g) => g !== 'status_pass_rate').sort());
  });

  test('key insert text carries the value: enum choices, defaults, indented blocks', () => {
    const items = itemsOf('mocks:\n  - service: a\n    |\n');
    const by = (l: string) => items.find((i) => i.label === l)!;
    assert.equal(by('sequence').insertText, 'sequence: ${1|stay,cycle|}');
    assert.equal(by('host').insertText, 'host: ${1:127.0.0.1}');
    assert.equal(by('ignore').insertText, 'ignore:\n      - $0', 'indented two past the key, as is');
    assert.equal(by('ignore').keepWhitespace, true);
    assert.equal(by('unmatched').insertText, 'unmatched:\n      $0');
    const gate = itemsOf('quality_gates:\n  unm|\n').find((i) => i.label === 'unmatched_requests')!;
    assert.equal(gate.insertText, 'unmatched_requests: "${1:== 0}"');
    assert.match(gate.documentation!, /matched no recorded stub/);
  });

  test('enum values and booleans at a value position; gate expressions quoted when they must be', () => {
    assert.deepEqual(labels('mocks:\n  - service: a\n    sequence: |\n'), ['stay', 'cycle']);
    const shape = itemsOf('validate:\n  shape_only: |\n');
    assert.deepEqual(shape.map((i) => i.insertText), ['true', 'false']);
    const gate = itemsOf('quality_gates:\n  status_pass_rate: |\n');
    assert.equal(gate[0].label, '>= 0.99');
    assert.equal(gate[0].insertText, '">= 0.99"', 'a plain >= would be a YAML block scalar');
    const inQuotes = itemsOf('quality_gates:\n  latency_p95_delta: "|"\n');
    assert.equal(inQuotes[0].insertText, '<= +10%', 'already quoted');
    const bare = itemsOf('quality_gates:\n  status_pass_rate: >|\n');
    assert.ok(bare.every((i) => i.insertText.startsWith('"')), 'after a bare > every expression is quoted');
    assert.ok(labels('mocks:\n  - service: a\n    timing: |\n').includes('0.5x'));
    assert.ok(labels('baseline: |\n').includes('previous'));
  });

  test('JSONPaths and header names from recorded responses in validate.ignore and tolerances', () => {
    const hints = {
      response: {
        paths: [
          { path: '$.orders[*].id', count: 3, types: ['string'] },
          { path: '$.total', count: 5, types: ['number'] },
          { path: "$['x-y']", count: 1, types: ['string'] },
        ],
        headers: ['content-type', 'date'],
        sampled: 5,
      },
    };
    const ign = cursor('validate:\n  ignore:\n    - $.|\n');
    const ctx = cursorContext(ign.text, ign.offset);
    assert.equal(wantsResponseHints(ctx), true);
    const items = completeAt(ign.text, ign.offset, hints).items;
    assert.deepEqual(items.map((i) => i.label), ['$.orders[*].id', '$.total', "$['x-y']", 'header.content-type', 'header.date']);
    assert.equal(items[0].start, ign.offset - 2, 'replaces the typed "$."');
    const tol = cursor('validate:\n  tolerances:\n    |\n');
    assert.equal(wantsResponseHints(cursorContext(tol.text, tol.offset)), true);
    const t = completeAt(tol.text, tol.offset, hints).items;
    assert.deepEqual(t.map((i) => i.label), ['$.total'], 'only numeric fields get a tolerance');
    assert.equal(t[0].insertText, '\\$.total: ${1:0.01}', 'the $ escaped in snippet syntax');
    assert.equal(t[0].snippet, true);
    assert.equal(wantsResponseHints(cursorContext('replay:\n  \n', 10)), false);
  });
});
