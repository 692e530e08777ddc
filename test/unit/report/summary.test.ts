import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { formatSummary, formatProgress, formatGateValue, failureBrief } from '../../../src/engine/report/index.js';
import type { RunSummary, RequestResult } from '../../../src/shared/results.js';
import { result, failing, erroring, summaryOf } from './helpers.js';

const GOLDEN = path.join(__dirname, 'golden', 'summary-fail.txt');

function fixture(): RunSummary {
  const results: RequestResult[] = [];
  for (let i = 1; i <= 40; i++) results.push(result(i, { latencyMs: i * 2.5 }));
  for (let i = 41; i <= 45; i++) results.push(failing(i, { endpoint: 'POST /orders', method: 'POST', url: '/orders?api_key=k1', latencyMs: 120 }));
  results.push(failing(46, { expectedStatus: 200, actualStatus: 500, latencyMs: 300,
    validation: { pass: false, statusMatch: false, headersMatch: true, bodyMatch: false, fieldMatchRate: 0, fieldsCompared: 1, diffs: [{ path: 'status', kind: 'status', expected: 200, actual: 500 }] } }));
  results.push(erroring(47, { endpoint: 'GET /health', url: '/health' }));
  return summaryOf(results, {
    verdict: 'fail',
    baseline: { runId: '2025-12-31T23-00-00-000Z-0000', path: '/runs/2025-12-31T23-00-00-000Z-0000' },
    mocks: [{ service: 'payment-api', port: 9001, calls: 12, matched: 11, unmatched: 1 }],
    metrics: { ...summaryOf(results).metrics, mock_match_rate: 11 / 12, unmatched_requests: 1 },
    gates: [
      { name: 'status_pass_rate', expression: '>= 0.95', measured: 0.9787, pass: true },
      { name: 'body_match_rate', expression: '>= 0.99', measured: 0.851, pass: false },
      { name: 'latency_p95_delta', expression: '<= +10%', measured: 0.234, baseline: 80, pass: false },
      { name: 'error_rate_delta', expression: '<= 0.01', measured: null, pass: false, note: 'no baseline' },
    ],
    failures: results.filter((r) => r.outcome !== 'pass').slice(4).map(failureBrief),
  });
}

describe('summary', () => {
  test('golden: a run with failing and passing gates (colour off)', async () => {
    const text = formatSummary(fixture(), { color: false, width: 100 });
    if (process.env.UPDATE_GOLDEN) {
      await fsp.mkdir(path.dirname(GOLDEN), { recursive: true });
      await fsp.writeFile(GOLDEN, text);
    }
    assert.equal(text, await fsp.readFile(GOLDEN, 'utf8'));
    assert.doesNotMatch(text, /\x1b\[/, 'no ANSI when colour is off');
  });

  test('colour on adds ANSI around marks and verdict; stripping it gives the plain text', () => {
    const s = fixture();
    const colored = formatSummary(s, { color: true, width: 100 });
    assert.match(colored, /\x1b\[31m✗\x1b\[0m/);
    assert.match(colored, /\x1b\[32m✓\x1b\[0m/);
    assert.equal(colored.replace(/\x1b\[[0-9;]*m/g, ''), formatSummary(s, { color: false, width: 100 }));
  });

  test('verdict lines for pass, aborted and error', () => {
    const base = summaryOf([result(1)], { gates: [{ name: 'status_pass_rate', expression: '>= 0.99', measured: 1, pass: true }] });
    assert.match(formatSummary(base, { color: false }), /✓ PASS — all 1 gates passed\n$/);
    assert.match(formatSummary({ ...base, gates: [] }, { color: false }), /✓ PASS — no gates configured/);
    assert.match(formatSummary({ ...base, status: 'aborted', verdict: 'aborted', abortReason: 'cancelled' }, { color: false }), /■ ABORTED — cancelled/);
    assert.match(formatSummary({ ...base, status: 'error', verdict: 'error', error: 'boom' }, { color: false }), /✗ ERROR — boom/);
  });

  test('gate values: rates as percentages, latencies in ms, relative deltas as signed percentages', () => {
    assert.equal(formatGateValue({ name: 'status_pass_rate', expression: '>= 0.99', measured: 0.995, pass: true }), '99.50%');
    assert.equal(formatGateValue({ name: 'latency_p95', expression: '<= 200', measured: 123.456, pass: true }), '123ms');
    assert.equal(formatGateValue({ name: 'latency_p95_delta', expression: '<= +10%', measured: -0.05, baseline: 100, pass: true }), 'Δ -5.00% vs baseline 100ms');
    assert.equal(formatGateValue({ name: 'latency_p95_delta', expression: '<= 20', measured: 12.5, baseline: 100, pass: true }), 'Δ +12.5ms vs baseline 100ms');
    assert.equal(formatGateValue({ name: 'error_rate_delta', expression: '<= +1%', measured: null, baseline: null, pass: false }), 'Δ n/a vs baseline n/a');
  });

  test('formatProgress', () => {
    assert.equal(formatProgress(450, 1000, 440, 10), '[###########-------------]  45%  450/1000  ✓ 440  ✗ 10');
    assert.equal(formatProgress(1000, 1000, 1000, 0), '[########################] 100%  1000/1000  ✓ 1000  ✗ 0');
    assert.equal(formatProgress(7, 0, 7, 0), '7 requests  ✓ 7  ✗ 0');
  });
});
