import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseGate, compileGate, gateProblem, explainGate, GateSyntaxError, KNOWN_GATES, GATE_NAMES } from '../../../src/engine/gates/index.js';

describe('parseGate: every form', () => {
  const cases: [string, { op: string; value: number; unit: string | null; sign: string | null }][] = [
    ['>= 0.99', { op: '>=', value: 0.99, unit: null, sign: null }],
    ['> 0.5', { op: '>', value: 0.5, unit: null, sign: null }],
    ['== 0', { op: '==', value: 0, unit: null, sign: null }],
    ['!= 0', { op: '!=', value: 0, unit: null, sign: null }],
    ['< 200', { op: '<', value: 200, unit: null, sign: null }],
    ['<= 250ms', { op: '<=', value: 250, unit: 'ms', sign: null }],
    ['<= 2s', { op: '<=', value: 2000, unit: 's', sign: null }],
    ['<= 1.5 s', { op: '<=', value: 1500, unit: 's', sign: null }],
    ['<= +10%', { op: '<=', value: 0.1, unit: '%', sign: '+' }],
    ['>= -5%', { op: '>=', value: -0.05, unit: '%', sign: '-' }],
    ['<= +50ms', { op: '<=', value: 50, unit: 'ms', sign: '+' }],
    ['  >=.5  ', { op: '>=', value: 0.5, unit: null, sign: null }],
    ['>=99%', { op: '>=', value: 0.99, unit: '%', sign: null }],
  ];
  for (const [expr, want] of cases) {
    test(JSON.stringify(expr), () => {
      const g = parseGate(expr);
      assert.equal(g.op, want.op);
      assert.ok(Math.abs(g.value - want.value) < 1e-12, `${g.value} != ${want.value}`);
      assert.equal(g.unit, want.unit);
      assert.equal(g.sign, want.sign);
      assert.equal(g.source, expr);
    });
  }
});

describe('parseGate: garbage is rejected with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['', /empty gate expression/],
    ['   ', /empty gate expression/],
    ['0.99', /no comparison operator: write e\.g\. ">= 0\.99"/],
    ['= 0', /use "==" for equality/],
    ['=> 0.9', /did you mean ">="/],
    ['=< 3', /did you mean "<="/],
    ['! 3', /use "!=" for inequality/],
    ['>=', /missing number after ">="/],
    ['>= +', /missing number after ">=\+"/],
    ['>= abc', /expected a number after ">=", found "abc"/],
    ['>= 0.99 or so', /unknown unit "or"/],
    ['<= 10 sec', /unknown unit "sec"/],
    ['<= 10mss', /unknown unit "mss" \(did you mean "ms"\?\)/],
    ['>= >= 1', /two operators/],
    ['>== 1', /two operators/],
    ['<= 1.2.3', /unexpected "\.3"/],
    ['fast', /not a gate expression/],
  ];
  for (const [expr, re] of cases) {
    test(JSON.stringify(expr), () => {
      assert.throws(() => parseGate(expr), (err: unknown) => {
        assert.ok(err instanceof GateSyntaxError);
        assert.equal(err.expression, expr);
        assert.match(err.message, re);
        return true;
      });
    });
  }
  test('a non-string', () => {
    assert.throws(() => parseGate(5 as unknown as string), /must be a string such as ">= 0\.99", got number 5/);
  });
});

describe('compileGate: expressions checked against their gate', () => {
  test('value gates', () => {
    assert.deepEqual(pick(compileGate('status_pass_rate', '>= 0.99')), { mode: 'value', op: '>=', threshold: 0.99 });
    assert.deepEqual(pick(compileGate('status_pass_rate', '>= 99%')), { mode: 'value', op: '>=', threshold: 0.99 });
    assert.deepEqual(pick(compileGate('latency_p95', '<= 2s')), { mode: 'value', op: '<=', threshold: 2000 });
    assert.deepEqual(pick(compileGate('latency_p95', '<= 250')), { mode: 'value', op: '<=', threshold: 250 });
    assert.deepEqual(pick(compileGate('unmatched_requests', '== 0')), { mode: 'value', op: '==', threshold: 0 });
    assert.deepEqual(pick(compileGate('throughput', '>= 50')), { mode: 'value', op: '>=', threshold: 50 });
  });

  test('delta gates: relative with %, absolute otherwise', () => {
    assert.deepEqual(pick(compileGate('latency_p95_delta', '<= +10%')), { mode: 'relative', op: '<=', threshold: 0.1 });
    assert.deepEqual(pick(compileGate('latency_p95_delta', '<= 10%')), { mode: 'relative', op: '<=', threshold: 0.1 });
    assert.deepEqual(pick(compileGate('latency_p95_delta', '<= +50ms')), { mode: 'absolute', op: '<=', threshold: 50 });
    assert.deepEqual(pick(compileGate('latency_p99_delta', '<= +0.1s')), { mode: 'absolute', op: '<=', threshold: 100 });
    assert.deepEqual(pick(compileGate('throughput_delta', '>= -5%')), { mode: 'relative', op: '>=', threshold: -0.05 });
    assert.deepEqual(pick(compileGate('throughput_delta', '>= -20')), { mode: 'absolute', op: '>=', threshold: -20 });
    assert.deepEqual(pick(compileGate('cpu_delta', '<= +20%')), { mode: 'relative', op: '<=', threshold: 0.2 });
  });

  test('forms a gate does not take are rejected', () => {
    const bad: [string, string, RegExp][] = [
      ['status_pass_rate', '>= 99', /fraction between 0 and 1; 99 is out of range: did you mean ">= 0\.99" or ">= 99%"\?/],
      ['status_pass_rate', '>= 150%', /at most 100%; 150% is out of range/],
      ['status_pass_rate', '>= 1s', /not a time/],
      ['status_pass_rate', '>= +0.9', /change against the baseline/],
      ['latency_p95', '<= +10%', /use latency_p95_delta for a change/],
      ['latency_p95', '<= 10%', /"%" only fits latency_p95_delta/],
      ['unmatched_requests', '== 0%', /is a count/],
      ['throughput', '>= 5s', /requests per second/],
      ['throughput_delta', '>= -5ms', /throughput_delta is not a time/],
      ['latency_p96', '<= 1s', /unknown gate "latency_p96": did you mean "latency_p95"\?/],
      ['status_pass_rate', 'high', /not a gate expression/],
    ];
    for (const [name, expr, re] of bad) {
      assert.throws(() => compileGate(name, expr), re, `${name}: ${expr}`);
      assert.match(gateProblem(name, expr) ?? '', re);
    }
    assert.equal(gateProblem('status_pass_rate', '>= 0.99'), null);
  });

  test('every known gate accepts its own example and has a description', () => {
    for (const name of GATE_NAMES) {
      const info = KNOWN_GATES[name];
      assert.equal(gateProblem(name, info.example), null, name);
      assert.ok(info.description.length > 20, name);
    }
  });

  test('explainGate reads a gate back in words', () => {
    assert.equal(explainGate('status_pass_rate', '>= 0.99'), 'status_pass_rate must be at least 99%');
    assert.equal(explainGate('latency_p95', '<= 2s'), 'latency_p95 must be at most 2000ms');
    assert.equal(explainGate('latency_p95_delta', '<= +10%'), 'latency_p95 change against the baseline (relative) must be at most +10%');
    assert.equal(explainGate('throughput_delta', '>= -20'), 'throughput change against the baseline (absolute) must be at least -20 req/s');
  });
});

function pick(g: { mode: string; op: string; threshold: number }) {
  return { mode: g.mode, op: g.op, threshold: Number(g.threshold.toPrecision(12)) };
}
