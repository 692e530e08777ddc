import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CutoffMonitor, compileCutoff, cutoffProblem } from '../../../src/engine/run/cutoffs.js';
import { configFromObject } from '../../../src/engine/config/load.js';
import { parseConfigText } from '../../../src/engine/config/load.js';
import type { RequestResult } from '../../../src/shared/results.js';

function res(over: Partial<RequestResult> = {}): RequestResult {
  return {
    pairId: 'p',
    session: 's',
    seq: 1,
    method: 'GET',
    url: '/x',
    endpoint: 'GET /x',
    startedAt: new Date(0).toISOString(),
    latencyMs: 10,
    expectedStatus: 200,
    actualStatus: 200,
    outcome: 'pass',
    ...over,
  };
}
const err500 = () => res({ actualStatus: 500, outcome: 'fail' });
const noResponse = () => res({ actualStatus: undefined, latencyMs: undefined, outcome: 'error', error: { code: 'ECONNREFUSED', message: 'x' } });

describe('cutoff expressions', () => {
  test('fractions and durations are parsed with their units', () => {
    assert.deepEqual(compileCutoff('error_rate', '> 0.2'), { name: 'error_rate', expression: '> 0.2', op: '>', threshold: 0.2 });
    assert.equal(compileCutoff('error_rate', '>= 20%').threshold, 0.2);
    assert.equal(compileCutoff('latency_p95', '> 2s').threshold, 2000);
    assert.equal(compileCutoff('latency_p95', '> 1500').threshold, 1500);
  });

  test('wrong units, changes and out-of-range fractions are explained', () => {
    assert.match(cutoffProblem('error_rate', '> 2s')!, /fraction/);
    assert.match(cutoffProblem('error_rate', '> 20')!, /out of range/);
    assert.match(cutoffProblem('latency_p95', '> 10%')!, /time/);
    assert.match(cutoffProblem('mock_miss_rate', '> +0.1')!, /not a change/);
    assert.match(cutoffProblem('error_rate', '0.2')!, /no comparison operator/);
    assert.equal(cutoffProblem('mock_miss_rate', '> 0.1'), null);
  });

  test('config: cutoffs resolve with defaults; bad ones are issues at their key', () => {
    const ok = configFromObject({ target: 'http://localhost:1', traffic: 'x', cutoffs: { error_rate: '> 0.2', window: 20 } }, '/tmp');
    assert.deepEqual(ok.config?.cutoffs, { window: 20, min_samples: 10, error_rate: '> 0.2' });
    const small = configFromObject({ target: 'http://localhost:1', traffic: 'x', cutoffs: { latency_p95: '> 2s', window: 4 } }, '/tmp');
    assert.equal(small.config?.cutoffs?.min_samples, 4);
    const bad = parseConfigText('target: http://localhost:1\ntraffic: x\ncutoffs:\n  error_rate: "> 2s"\n  windw: 5\n', '/tmp/reprise.yaml');
    assert.equal(bad.config, undefined);
    const rate = bad.issues.find((i) => i.key === 'cutoffs.error_rate');
    assert.ok(rate, JSON.stringify(bad.issues));
    assert.equal(rate.line, 4);
    assert.match(rate.message, /fraction/);
    const typo = bad.issues.find((i) => i.code === 'unknown-key');
    assert.equal(typo?.suggestion, 'window');
  });
});

describe('CutoffMonitor', () => {
  test('error_rate trips once the window holds min_samples and the rate passes the limit', () => {
    const m = new CutoffMonitor({ error_rate: '> 0.5', window: 4, min_samples: 4 });
    m.addResult(err500());
    m.addResult(err500());
    m.addResult(err500());
    assert.equal(m.check(), undefined, 'three samples are not enough');
    m.addResult(res());
    const reason = m.check();
    assert.match(reason!, /^cutoff error_rate > 0\.5 tripped: 0\.75 over the last 4 requests$/);
    assert.equal(m.trip?.name, 'error_rate');
    m.addResult(res());
    assert.equal(m.check(), reason, 'stays tripped');
  });

  test('the window slides: old failures fall out', () => {
    const m = new CutoffMonitor({ error_rate: '> 0.5', window: 4, min_samples: 4 });
    for (const r of [err500(), err500(), res(), res()]) m.addResult(r);
    assert.equal(m.check(), undefined, '0.5 is not > 0.5');
    for (const r of [noResponse(), res()]) m.addResult(r); // window: ok ok ECONNREFUSED ok
    assert.equal(m.measure('error_rate'), 0.25);
    assert.equal(m.check(), undefined);
  });

  test('requests aborted by the run itself and skipped ones do not count', () => {
    const m = new CutoffMonitor({ error_rate: '> 0', window: 2, min_samples: 2 });
    m.addResult(res({ outcome: 'error', actualStatus: undefined, error: { code: 'aborted', message: 'run cancelled' } }));
    m.addResult(res({ outcome: 'skipped' }));
    assert.equal(m.measure('error_rate'), undefined);
  });

  test('latency_p95 over the window (nearest rank), ignoring requests without a response', () => {
    const m = new CutoffMonitor({ latency_p95: '> 100ms', window: 5, min_samples: 5 });
    for (const ms of [10, 20, 30, 40]) m.addResult(res({ latencyMs: ms }));
    m.addResult(noResponse());
    assert.equal(m.check(), undefined);
    m.addResult(res({ latencyMs: 500 }));
    assert.equal(m.measure('latency_p95'), 500);
    assert.match(m.check()!, /latency_p95 > 100ms tripped: 500ms over the last 5 requests/);
  });

  test('mock_miss_rate counts mock calls, not requests', () => {
    const m = new CutoffMonitor({ mock_miss_rate: '> 0.1', window: 10, min_samples: 3 });
    for (let i = 0; i < 20; i++) m.addResult(res());
    m.addMockCall(true);
    m.addMockCall(true);
    assert.equal(m.check(), undefined);
    m.addMockCall(false);
    assert.match(m.check()!, /mock_miss_rate > 0\.1 tripped: 0\.333 over the last 3 mock calls/);
  });

  test('no cutoffs configured: never trips', () => {
    const m = new CutoffMonitor({ window: 1, min_samples: 1 });
    assert.equal(m.active, false);
    m.addResult(err500());
    assert.equal(m.check(), undefined);
  });
});
