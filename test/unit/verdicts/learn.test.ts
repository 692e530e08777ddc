// `reprise learn` on the example's drifting fields (ORDERS_DRIFT=1 adds serverTime and traceId to every
// answer): a noisy red run turns green after learning, while a change to a business field stays red.
// Through the CLI, with the service started and restarted by Reprise from `sut:`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cli } from '../cli/helpers.js';
import { loadNoiseModel } from '../../../src/engine/validate/noise.js';
import { listRuns } from '../../../src/engine/report/index.js';
import { exampleDir, freePort, tmpDir, assertGone } from './helpers.js';

/** A reprise.yaml for the example in `dir`, the service started with `env`. */
async function writeConfig(dir: string, name: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const cfg = {
    target: `http://127.0.0.1:${port}`,
    traffic: [path.join(exampleDir, 'traffic/inbound.jsonl')],
    mocks: [{ service: 'payment-api', port: 0, traffic: path.join(exampleDir, 'traffic/payment-api'), env: 'PAYMENT_API_URL' }],
    replay: { concurrency: 4, time_scale: 0, timeout: '5s', capture: { token: '$.access_token', order_id: '$.id' } },
    validate: {
      ignore: ['$.createdAt', '$.orders[*].createdAt', '$.id', '$.orders[*].id', '$.access_token', 'header.date', 'header.x-request-id'],
      headers: ['content-type'],
    },
    quality_gates: { status_pass_rate: '>= 0.99', body_match_rate: '>= 0.95', unmatched_requests: '== 0' },
    sut: {
      command: `${JSON.stringify(process.execPath)} server.mjs`,
      cwd: exampleDir,
      env: { PORT: '${REPRISE_TARGET_PORT}', ORDERS_REGRESSION: '', ORDERS_DRIFT: '', ...env },
      ready: { url: '/health', timeout: '15s', interval: '50ms' },
      stop_timeout: '3s',
    },
  };
  const file = path.join(dir, name);
  await fsp.writeFile(file, stringify(cfg));
  return file;
}

describe('reprise learn', { skip: process.platform === 'win32' ? 'process groups are POSIX' : false }, () => {
  test('drifting fields: red before learning, green after; a business-field regression stays red', async () => {
    const dir = await tmpDir('reprise-learn-');
    const drift = await writeConfig(dir, 'reprise.yaml', { ORDERS_DRIFT: '1' });

    // 1. without learned noise the drifting fields fail the run
    const red = await cli(['run', '-c', drift, '-q'], dir);
    assert.equal(red.code, 1, red.out + red.err);
    assert.match(red.out, /\$\.serverTime: unexpected/);
    assert.match(red.out, /✗ FAIL — 1 of 3 gates failed: body_match_rate/);

    // 2. learn: two passes, the service restarted between them
    const learned = await cli(['learn', '-c', drift], dir);
    assert.equal(learned.code, 0, learned.out + learned.err);
    assert.match(learned.out, /✓ stop \(pass 1\): stopped with SIGTERM/);
    assert.match(learned.out, /✓ service \(pass 2\): started/);
    assert.match(learned.out, /compared 43 pairs of answers on 6 endpoint\(s\) \(service restarted between the passes\)/);
    assert.match(learned.out, /POST \/orders: \$\.serverTime, \$\.traceId/);
    assert.match(learned.out, /validate:\n {2}ignore:\n {4}- \$\.serverTime {4}# 6 endpoints\n {4}- \$\.traceId {4}# 6 endpoints\n/);
    const model = await loadNoiseModel(path.join(dir, '.reprise', 'noise.json'));
    assert.ok(model, 'noise.json written');
    for (const ep of ['GET /health', 'POST /login', 'POST /orders', 'GET /orders/{id}', 'GET /orders', 'GET /products']) {
      assert.ok(model.endpoints[ep]?.ignore.includes('$.serverTime'), `${ep}: ${JSON.stringify(model.endpoints[ep])}`);
      assert.ok(model.endpoints[ep]?.ignore.includes('$.traceId'), ep);
    }
    const all = Object.values(model.endpoints).flatMap((e) => e.ignore);
    for (const business of ['$.total', '$.subtotal', '$.tax', '$.count', '$.chargeId', '$.status']) {
      assert.ok(!all.includes(business), `${business} must not be learned as noise`);
    }
    const logs = await fsp.readdir(path.join(dir, '.reprise', 'learn'));
    assert.deepEqual(logs.sort(), ['sut-pass1.log', 'sut-pass2.log']);

    // 3. the same noisy service is green now
    const green = await cli(['run', '-c', drift, '-q'], dir);
    assert.equal(green.code, 0, green.out + green.err);
    assert.match(green.out, /✓ PASS — all 3 gates passed/);

    // 4. a real regression on a business field is still caught
    const total = await writeConfig(dir, 'reprise-total.yaml', { ORDERS_DRIFT: '1', ORDERS_REGRESSION: 'total' });
    const stillRed = await cli(['run', '-c', total, '-q'], dir);
    assert.equal(stillRed.code, 1, stillRed.out);
    assert.match(stillRed.out, /\$\.total: expected 14481, got 15554/);
    assert.doesNotMatch(stillRed.out, /serverTime|traceId/);

    // every service started on the way is gone
    for (const r of await listRuns(path.join(dir, '.reprise', 'runs'))) assertGone(r.sut?.pid, `service of run ${r.runId}`);
  });

  test('a service that cannot start: learn fails naming the phase and writes nothing', async () => {
    const dir = await tmpDir('reprise-learn-');
    const file = await writeConfig(dir, 'reprise.yaml', {});
    const text = (await fsp.readFile(file, 'utf8')).replace(/command: .*/, 'command: exit 9');
    await fsp.writeFile(file, text);
    const r = await cli(['learn', '-c', file], dir);
    assert.equal(r.code, 3, r.out + r.err);
    assert.match(r.out, /✗ service: the service \(`exit 9`\) exited with code 9 before it became ready/);
    assert.match(r.out, /✗ learning failed — service phase failed/);
    await assert.rejects(fsp.stat(path.join(dir, '.reprise', 'noise.json')), /ENOENT/);
  });
});
