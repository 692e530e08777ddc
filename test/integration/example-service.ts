/**
 * The orders example for the integration tests (the runner opens a scratch copy of examples/orders as the
 * workspace): its reprise.yaml starts the service itself (`sut:`); the tests rewrite the copy with free ports
 * (8080/8081 may be taken), a regression switch, or real-time pacing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { workspaceRoot } from './helpers.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

let original: string | undefined;

export function configFile(): string {
  return path.join(workspaceRoot(), 'reprise.yaml');
}

/** The example's reprise.yaml as first found in the workspace. */
export async function originalConfig(): Promise<string> {
  original ??= await fs.readFile(configFile(), 'utf8');
  return original;
}

export interface ExamplePorts {
  service: number;
  mock: number;
}

/**
 * Writes the example's reprise.yaml with free ports (8080/8081 may be taken) and optional replay pacing
 * (`slow`: real-time gaps, so a run lasts long enough to be cancelled).
 */
export async function configureExample(opts: { slow?: boolean; regression?: string } = {}): Promise<ExamplePorts> {
  const text = await originalConfig();
  assert.match(text, /target: http:\/\/127\.0\.0\.1:8080/, 'the example reprise.yaml targets 8080');
  assert.match(text, /port: 8081/, 'the example reprise.yaml serves the payment-api mock on 8081');
  const ports = { service: await freePort(), mock: await freePort() };
  let out = text.replace('target: http://127.0.0.1:8080', `target: http://127.0.0.1:${ports.service}`).replace('port: 8081', `port: ${ports.mock}`);
  if (opts.regression) {
    assert.match(out, /env: \{PORT: "\$\{REPRISE_TARGET_PORT\}"\}/, 'the example starts the service with PORT from REPRISE_TARGET_PORT');
    out = out.replace('env: {PORT: "${REPRISE_TARGET_PORT}"}', `env: {PORT: "\${REPRISE_TARGET_PORT}", ORDERS_REGRESSION: ${opts.regression}}`);
  }
  if (opts.slow) out = out.replace(/time_scale: \d+/, 'time_scale: 1').replace(/max_delay: \S+/, 'max_delay: 2s').replace(/concurrency: \d+/, 'concurrency: 1');
  await fs.writeFile(configFile(), out);
  return ports;
}

export async function restoreConfig(): Promise<void> {
  if (original !== undefined) await fs.writeFile(configFile(), original);
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function clearRuns(): Promise<void> {
  await fs.rm(path.join(workspaceRoot(), '.reprise'), { recursive: true, force: true });
}
