/**
 * Readiness: poll a URL until it answers 2xx (and keeps doing so for `stable_for`), or a TCP port until
 * it accepts connections. Used for the service under test and for real dependencies (`sut.depends_on`).
 * Gives up when the deadline passes, the signal aborts, or the watched process exits first.
 */
import { connect } from 'node:net';
import { Agent, request } from 'undici';
import type { SutReadyConfig } from '../config/types.js';
import { describeExit, type ExitInfo } from './process.js';

export class ReadyError extends Error {}

export interface ReadyCheckResult {
  ok: boolean;
  /** `200`, `503`, `ECONNREFUSED`, `timeout`, `connected`. */
  what: string;
}

export interface WaitReadyOptions {
  /** An http(s) URL (2xx = ready) or tcp://host:port (connect = ready). */
  url: string;
  timeout: number;
  stable_for?: number;
  interval: number;
  signal?: AbortSignal;
  /** The process being waited for: its exit ends the wait with its exit status and last lines. */
  process?: { exited: Promise<ExitInfo>; exit: ExitInfo | undefined; lastLines(n?: number): string[] };
  /** Named in messages: "the service", "dependency postgres". */
  what: string;
}

export interface WaitReadyResult {
  /** ms from the start of the wait until ready (stable). */
  ms: number;
  attempts: number;
}

function abortable(ms: number, signal: AbortSignal | undefined, also?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
    void also?.then(done, done);
  });
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<ReadyCheckResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const t = setTimeout(() => finish({ ok: false, what: 'timeout' }), timeoutMs);
    function finish(r: ReadyCheckResult) {
      clearTimeout(t);
      sock.destroy();
      resolve(r);
    }
    sock.once('connect', () => finish({ ok: true, what: 'connected' }));
    sock.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, what: e.code ?? e.message }));
  });
}

async function httpCheck(agent: Agent, url: string, timeoutMs: number, signal?: AbortSignal): Promise<ReadyCheckResult> {
  try {
    const res = await request(url, {
      method: 'GET',
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal,
      headers: { 'user-agent': 'reprise-ready' },
    });
    await res.body.dump().catch(() => undefined);
    return { ok: res.statusCode >= 200 && res.statusCode < 300, what: String(res.statusCode) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = err.cause?.code ?? err.code ?? err.name;
    return { ok: false, what: code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'timeout' : String(code ?? err.message) };
  }
}

/** Resolves `ready.url` against the target: `/health` → http://127.0.0.1:8080/health; absolute URLs as is. */
export function readyUrl(target: string, ready: Pick<SutReadyConfig, 'url'>): string {
  if (!ready.url) {
    const u = new URL(target);
    return `tcp://${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  }
  return new URL(ready.url, target).toString();
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))}s` : `${Math.round(ms)}ms`;
}

/** Waits until `url` is ready; throws ReadyError with a clear reason otherwise. */
export async function waitReady(opts: WaitReadyOptions): Promise<WaitReadyResult> {
  const t0 = performance.now();
  const deadline = t0 + opts.timeout;
  const stable = opts.stable_for ?? 0;
  const tcp = opts.url.startsWith('tcp://');
  let hostPort: { host: string; port: number } | undefined;
  if (tcp) {
    const u = new URL(opts.url.replace(/^tcp:/, 'http:'));
    hostPort = { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
  }
  const agent = tcp ? undefined : new Agent({ connect: { timeout: 2000 }, keepAliveTimeout: 1000, pipelining: 0 });
  let attempts = 0;
  let last: ReadyCheckResult | undefined;
  let okSince: number | undefined;
  const exitedEarly = () => {
    const p = opts.process;
    if (!p?.exit) return;
    const lines = p.lastLines(10).filter((l) => l.trim());
    throw new ReadyError(
      `${opts.what} ${describeExit(p.exit)} before it became ready` + (lines.length ? `; its last output:\n    ${lines.join('\n    ')}` : ' (no output)'),
    );
  };
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new ReadyError(`cancelled while waiting for ${opts.what} to be ready`);
      exitedEarly();
      const now = performance.now();
      const perAttempt = Math.max(100, Math.min(2000, deadline - now));
      attempts++;
      last = hostPort ? await tcpCheck(hostPort.host, hostPort.port, perAttempt) : await httpCheck(agent!, opts.url, perAttempt, opts.signal);
      exitedEarly();
      const after = performance.now();
      if (last.ok) {
        okSince ??= after;
        if (after - okSince >= stable) return { ms: Math.round(after - t0), attempts };
      } else {
        okSince = undefined;
      }
      if (after >= deadline) {
        if (opts.signal?.aborted) throw new ReadyError(`cancelled while waiting for ${opts.what} to be ready`);
        const target = tcp ? `connect ${opts.url.replace(/^tcp:\/\//, '')}` : `GET ${opts.url}`;
        throw new ReadyError(
          `${opts.what} was not ready after ${fmtMs(opts.timeout)}${stable > 0 ? ` (it must answer 2xx for ${fmtMs(stable)} in a row)` : ''}: ` +
            `last check ${target} → ${last.what}`,
        );
      }
      const wait = Math.min(opts.interval, Math.max(0, deadline - after), okSince !== undefined ? Math.max(1, stable - (after - okSince)) : Infinity);
      await abortable(wait, opts.signal, opts.process?.exited);
    }
  } finally {
    await agent?.close().catch(() => undefined);
  }
}
