import { promises as fsp, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { configFromObject } from '../../../src/engine/config/load.js';
import type { RepriseConfig } from '../../../src/engine/config/types.js';
import { defaultContext, type EngineContext } from '../../../src/engine/context.js';

import { exampleDir, freePort } from '../cli/helpers.js';

export { repoRoot, exampleDir, freePort } from '../cli/helpers.js';

export async function tmpDir(prefix = 'reprise-verdicts-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A warn-collecting context. */
export function ctx(): EngineContext & { warnings: string[] } {
  const warnings: string[] = [];
  const base = defaultContext();
  const logger = { ...base.logger, warn: (m: string) => void warnings.push(m) };
  return Object.assign(defaultContext({ logger }), { warnings });
}

/** Validate `obj` as a reprise.yaml object rooted at `root`; fail the test on any config error. */
export function makeConfig(obj: Record<string, unknown>, root: string): RepriseConfig {
  const { config, issues } = configFromObject(obj, root);
  assert.ok(config, `config invalid: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
  return config;
}

/**
 * The example orders service as a config: traffic and mocks from examples/orders, the service started
 * from `sut` on a free port, runs in `runsDir`, learned noise in `<runsDir>/../noise.json`.
 */
export async function exampleConfig(runsDir: string, over: { env?: Record<string, string>; sut?: Record<string, unknown>; extra?: Record<string, unknown> } = {}): Promise<RepriseConfig> {
  const port = await freePort();
  return makeConfig(
    {
      target: `http://127.0.0.1:${port}`,
      traffic: ['./traffic/inbound.jsonl'],
      mocks: [{ service: 'payment-api', port: 0, traffic: './traffic/payment-api/', env: 'PAYMENT_API_URL' }],
      replay: { concurrency: 4, time_scale: 0, timeout: '5s', capture: { token: '$.access_token', order_id: '$.id' } },
      validate: {
        ignore: ['$.createdAt', '$.orders[*].createdAt', '$.id', '$.orders[*].id', '$.access_token', 'header.date', 'header.x-request-id'],
        headers: ['content-type'],
      },
      quality_gates: { status_pass_rate: '>= 0.99', body_match_rate: '>= 0.95', mock_match_rate: '>= 0.98', unmatched_requests: '== 0' },
      runs_dir: runsDir,
      noise: { file: path.join(path.dirname(runsDir), 'noise.json') },
      sut: {
        command: `"${process.execPath}" server.mjs`,
        cwd: exampleDir,
        env: { PORT: '${REPRISE_TARGET_PORT}', ORDERS_REGRESSION: '', ORDERS_DRIFT: '', ...(over.env ?? {}) },
        ready: { url: '/health', timeout: '15s', interval: '50ms' },
        stop_timeout: '3s',
        sample_interval: '50ms',
        ...(over.sut ?? {}),
      },
      ...(over.extra ?? {}),
    },
    exampleDir,
  );
}

/** Whether a process with this pid exists (ESRCH → false). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Live (non-zombie) processes in process group `pgid`, from /proc. On this kind of machine PID 1 may not
 * reap orphans, so a killed grandchild can linger as a zombie: dead, but kill(-pgid, 0) still succeeds.
 */
export function liveGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const s = readFileSync(`/proc/${n}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(n));
    } catch {
      // gone
    }
  }
  return out;
}

/** Asserts nothing of the service is left: its root pid gives ESRCH and no live process is in its group. */
export function assertGone(pid: number | undefined, what = 'the service'): void {
  assert.ok(typeof pid === 'number' && pid > 0, `${what}: no pid recorded`);
  assert.equal(pidExists(pid), false, `${what} (pid ${pid}) is still running`);
  if (process.platform === 'linux') assert.deepEqual(liveGroupMembers(pid), [], `${what}: processes left in its process group ${pid}`);
}

export async function readJsonLines(file: string): Promise<unknown[]> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
