import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsCollector } from '../../../src/engine/report/metrics.js';
import { LatencyHistogram } from '../../../src/engine/report/histogram.js';
import { result, failing, erroring } from './helpers.js';

describe('LatencyHistogram', () => {
  test('nearest-rank percentiles are exact below the cap', () => {
    const h = new LatencyHistogram();
    for (let v = 100; v >= 1; v--) h.add(v); // 1..100 in reverse order
    assert.equal(h.isExact, true);
    assert.deepEqual(h.percentiles([50, 95, 99, 100]), [50, 95, 99, 100]);
    assert.equal(h.percentile(0), 1);
    assert.equal(h.mean, 50.5);
    assert.equal(h.max, 100);
    const small = new LatencyHistogram();
    for (const v of [15, 20, 35, 40, 50]) small.add(v);
    // classic nearest-rank example: p30 = 20, p40 = 20, p50 = 35, p100 = 50
    assert.deepEqual(small.percentiles([30, 40, 50, 100]), [20, 20, 35, 50]);
    assert.equal(new LatencyHistogram().percentile(95), 0);
  });

  test('beyond the cap, percentiles stay within 0.5% of the exact value; count/mean/max stay exact', () => {
    const h = new LatencyHistogram(100);
    const values: number[] = [];
    let x = 7;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 48271) % 2147483647; // deterministic pseudo-random
      const v = 0.05 + (x % 100000) / 37; // 0.05 .. ~2700 ms
      values.push(v);
      h.add(v);
    }
    assert.equal(h.isExact, false);
    values.sort((a, b) => a - b);
    for (const p of [1, 50, 90, 95, 99, 99.9]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1];
      const got = h.percentile(p);
      assert.ok(Math.abs(got - exact) / exact <= 0.005 + 1e-9, `p${p}: ${got} vs ${exact}`);
    }
    assert.equal(h.count, 20_000);
    assert.equal(h.max, values[values.length - 1]);
    assert.ok(Math.abs(h.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-6);
    assert.equal(h.percentile(100), values[values.length - 1]);
  });
});

describe('MetricsCollector', () => {
  test('counts, rates, latency and throughput on known data', () => {
    const m = new MetricsCollector();
    // 6 passes with latencies 10..60
    for (let i = 1; i <= 6; i++) m.add(result(i, { latencyMs: i * 10 }));
    // 1 status mismatch (500 instead of 200), body also mismatched
    m.add(failing(7, { actualStatus: 500, latencyMs: 70, validation: { pass: false, statusMatch: false, headersMatch: true, bodyMatch: false, fieldMatchRate: 0, fieldsCompared: 1, diffs: [] } }));
    // 1 body mismatch with correct status
    m.add(failing(8, { latencyMs: 80 }));
    // 1 no-response error
    m.add(erroring(9));
    // 1 skipped (not sent)
    m.add(result(10, { outcome: 'skipped', actualStatus: undefined, latencyMs: undefined, validation: undefined }));
    // 1 pass without a recorded response (nothing to compare: no expected status, no validation)
    m.add(result(11, { expectedStatus: undefined, validation: undefined, latencyMs: 90, endpoint: 'POST /orders' }));
    m.addMockStats([{ service: 'pay', port: 1, calls: 5, matched: 4, unmatched: 1 }]);
    m.addMockStats([{ service: 'pay', port: 1, calls: 8, matched: 6, unmatched: 2 }]); // later snapshot replaces
    m.addMockStats([{ service: 'stock', port: 2, calls: 2, matched: 2, unmatched: 0 }]);
    const x = m.finish(2000);
    assert.equal(x.total, 11);
    assert.equal(x.sent, 10);
    assert.equal(x.passed, 7);
    assert.equal(x.failed, 2);
    assert.equal(x.errors, 1);
    // expected status known for 9 sent results; matched: 6 passes + #8 = 7
    assert.equal(x.status_pass_rate, 7 / 9);
    // validated: 8 (#1-#8) + error #9 = 9; bodyMatch: 6
    assert.equal(x.body_match_rate, 6 / 9);
    // 5xx (#7) + no response (#9) over 10 sent
    assert.equal(x.error_rate, 2 / 10);
    assert.equal(x.mock_match_rate, 8 / 10);
    assert.equal(x.unmatched_requests, 2);
    // latencies: 10,20,...,90 (9 values)
    assert.equal(x.latency_p50, 50);
    assert.equal(x.latency_p95, 90);
    assert.equal(x.latency_p99, 90);
    assert.equal(x.latency_mean, 50);
    assert.equal(x.latency_max, 90);
    assert.equal(x.throughput, 5);
    assert.equal(x.duration_ms, 2000);
    assert.deepEqual(x.status_counts, { '200': 8, '500': 1, error: 1 });

    const eps = m.endpoints();
    assert.deepEqual(eps.map((e) => e.endpoint), ['GET /orders/{id}', 'POST /orders']);
    assert.deepEqual(eps[0], { endpoint: 'GET /orders/{id}', requests: 10, passed: 6, failed: 2, errors: 1, latency_p95: 80 });
    assert.equal(eps[1].latency_p95, 90);
  });

  test('empty run: vacuous rates are 1, error rate and latencies 0, JSON-serialisable', () => {
    const x = new MetricsCollector().finish(0);
    assert.equal(x.status_pass_rate, 1);
    assert.equal(x.body_match_rate, 1);
    assert.equal(x.mock_match_rate, 1);
    assert.equal(x.error_rate, 0);
    assert.equal(x.latency_p95, 0);
    assert.equal(x.latency_max, 0);
    assert.equal(x.throughput, 0);
    assert.deepEqual(JSON.parse(JSON.stringify(x)), x);
  });

  test('all requests without response: status and body rates 0, error rate 1', () => {
    const m = new MetricsCollector();
    for (let i = 0; i < 4; i++) m.add(erroring(i));
    const x = m.finish(1000);
    assert.equal(x.status_pass_rate, 0);
    assert.equal(x.body_match_rate, 0);
    assert.equal(x.error_rate, 1);
    assert.equal(x.latency_p50, 0);
  });

  test('200k results over 50 endpoints: histogram mode stays within 0.5%', () => {
    const m = new MetricsCollector({ exactCap: 1000, endpointExactCap: 10 });
    const r = result(1);
    for (let i = 0; i < 200_000; i++) {
      r.latencyMs = (i % 1000) + 1;
      r.endpoint = `GET /e${i % 50}`;
      m.add(r);
    }
    const x = m.finish(10_000);
    assert.equal(x.total, 200_000);
    assert.ok(Math.abs(x.latency_p50 - 500) / 500 <= 0.005, String(x.latency_p50));
    assert.ok(Math.abs(x.latency_p99 - 990) / 990 <= 0.005, String(x.latency_p99));
    assert.equal(m.endpoints().length, 50);
  });
});
