import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGates, gatesPassed, NO_BASELINE_NOTE } from '../../../src/engine/gates/index.js';
import type { Metrics } from '../../../src/shared/results.js';

function metrics(over: Partial<Metrics> & Record<string, unknown> = {}): Metrics {
  return {
    total: 100, sent: 100, passed: 99, failed: 1, errors: 0,
    status_pass_rate: 0.99, body_match_rate: 0.95, mock_match_rate: 1, unmatched_requests: 0, error_rate: 0.01,
    latency_p50: 20, latency_p95: 110, latency_p99: 300, latency_mean: 30, latency_max: 900,
    throughput: 200, duration_ms: 500, status_counts: { '200': 99, '500': 1 },
    ...over,
  } as Metrics;
}

describe('evaluateGates: value gates', () => {
  test('passes and fails on the boundary as written', () => {
    const r = evaluateGates(
      {
        status_pass_rate: '>= 0.99',
        body_match_rate: '> 0.95',
        unmatched_requests: '== 0',
        error_rate: '!= 0',
        latency_p95: '< 110ms',
        latency_p99: '<= 0.3s',
        throughput: '>= 200',
        mock_match_rate: '>= 100%',
      },
      metrics(),
    );
    assert.deepEqual(
      r.map((g) => [g.name, g.measured, g.pass]),
      [
        ['status_pass_rate', 0.99, true],
        ['body_match_rate', 0.95, false],
        ['unmatched_requests', 0, true],
        ['error_rate', 0.01, true],
        ['latency_p95', 110, false],
        ['latency_p99', 300, true],
        ['throughput', 200, true],
        ['mock_match_rate', 1, true],
      ],
    );
    assert.ok(r.every((g) => g.note === undefined));
    assert.equal(r[0].expression, '>= 0.99');
    assert.equal(gatesPassed(r), false);
    assert.equal(gatesPassed(r.filter((g) => g.pass)), true);
    assert.equal(gatesPassed(evaluateGates({}, metrics())), true);
  });

  test('a computed rate equal to the threshold passes despite floating point', () => {
    const [g] = evaluateGates({ status_pass_rate: '>= 0.7' }, metrics({ status_pass_rate: 0.1 * 7 }));
    assert.equal(g.pass, true);
  });

  test('bad expressions and unknown gates fail with a note instead of throwing', () => {
    const r = evaluateGates({ status_pass_rate: 'high', latency_p96: '<= 1s' }, metrics());
    assert.deepEqual(r.map((g) => [g.pass, g.measured]), [[false, null], [false, null]]);
    assert.match(r[0].note!, /not a gate expression/);
    assert.match(r[1].note!, /unknown gate "latency_p96": did you mean "latency_p95"/);
  });

  test('optional metrics: evaluated when measured, "not measured" otherwise', () => {
    const r1 = evaluateGates({ log_errors: '== 0' }, metrics());
    assert.equal(r1[0].pass, false);
    assert.match(r1[0].note!, /^not measured/);
    const r2 = evaluateGates({ log_errors: '== 0' }, metrics({ log_errors: 0 }));
    assert.deepEqual([r2[0].pass, r2[0].measured, r2[0].note], [true, 0, undefined]);
    const r3 = evaluateGates({ log_errors: '== 0' }, metrics({ log_errors: 3 }));
    assert.deepEqual([r3[0].pass, r3[0].measured], [false, 3]);
  });
});

describe('evaluateGates: delta gates', () => {
  test('no baseline: fail with a note, never pass silently', () => {
    for (const b of [undefined, null]) {
      const [g] = evaluateGates({ latency_p95_delta: '<= +10%' }, metrics(), b);
      assert.deepEqual(g, { name: 'latency_p95_delta', expression: '<= +10%', measured: null, baseline: null, pass: false, note: NO_BASELINE_NOTE });
    }
    assert.match(NO_BASELINE_NOTE, /reprise baseline set <run>/);
  });

  test('relative change is a fraction of the baseline', () => {
    const base = metrics({ latency_p95: 100, throughput: 200 });
    const r = evaluateGates(
      { latency_p95_delta: '<= +10%', latency_p99_delta: '<= +10%', throughput_delta: '>= -5%' },
      metrics({ latency_p95: 110, latency_p99: 400, throughput: 180 }),
      { ...base, latency_p99: 300 },
    );
    assert.deepEqual(r.map((g) => [g.name, g.measured, g.baseline, g.pass]), [
      ['latency_p95_delta', 0.1, 100, true], // exactly +10% passes <= +10%
      ['latency_p99_delta', 0.333333333333, 300, false],
      ['throughput_delta', -0.1, 200, false],
    ]);
  });

  test('absolute change in ms', () => {
    const r = evaluateGates({ latency_p95_delta: '<= +50ms', latency_p50_delta: '<= +0.01s' }, metrics({ latency_p95: 160, latency_p50: 35 }), metrics({ latency_p95: 100, latency_p50: 25 }));
    assert.deepEqual(r.map((g) => [g.measured, g.baseline, g.pass]), [[60, 100, false], [10, 25, true]]);
  });

  test('baseline of 0: 0 → 0 is no change; growth from 0 is unbounded, reported without a number', () => {
    const zero = metrics({ latency_p95: 0, throughput: 0 });
    const [same] = evaluateGates({ latency_p95_delta: '<= +10%' }, zero, zero);
    assert.deepEqual([same.measured, same.pass, same.note], [0, true, undefined]);

    const [up] = evaluateGates({ latency_p95_delta: '<= +10%' }, metrics({ latency_p95: 5 }), zero);
    assert.deepEqual([up.measured, up.baseline, up.pass], [null, 0, false]);
    assert.match(up.note!, /baseline latency_p95 was 0.*unbounded \(\+∞\)/);

    const [more] = evaluateGates({ throughput_delta: '>= -5%' }, metrics({ throughput: 100 }), zero);
    assert.equal(more.pass, true);
    assert.ok(JSON.parse(JSON.stringify(more)).measured === null);
  });

  test('cpu/mem deltas: evaluated when both runs measure them, else "not measured"', () => {
    const [none] = evaluateGates({ cpu_delta: '<= +20%' }, metrics(), metrics());
    assert.equal(none.pass, false);
    assert.match(none.note!, /not measured: this run has no `cpu_avg`/);
    const [noBase] = evaluateGates({ mem_delta: '<= +20%' }, metrics({ mem_peak: 100 }), metrics());
    assert.match(noBase.note!, /not measured: the baseline run has no `mem_peak`/);
    const [ok] = evaluateGates({ mem_delta: '<= +20%' }, metrics({ mem_peak: 110 }), metrics({ mem_peak: 100 }));
    assert.deepEqual([ok.measured, ok.baseline, ok.pass], [0.1, 100, true]);
  });

  test('value gates ignore the baseline', () => {
    const [g] = evaluateGates({ status_pass_rate: '>= 0.99' }, metrics(), metrics({ status_pass_rate: 0 }));
    assert.deepEqual([g.measured, g.pass, 'baseline' in g], [0.99, true, false]);
  });
});
