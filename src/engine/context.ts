/**
 * What the engine needs from its host, passed in rather than reached for: the CLI and the VS Code
 * extension each build one. Nothing here may depend on `vscode`.
 */
import { TypedEmitter } from './events.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  trace(msg: string, ...args: unknown[]): void;
  debug(msg: string, ...args: unknown[]): void;
  info(msg: string, ...args: unknown[]): void;
  warn(msg: string, ...args: unknown[]): void;
  error(msg: string, ...args: unknown[]): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds (for durations). */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

export const silentLogger: Logger = {
  trace() {}, debug() {}, info() {}, warn() {}, error() {},
};

export function consoleLogger(min: LogLevel = 'info', stream: NodeJS.WritableStream = process.stderr): Logger {
  const order: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
  const at = order.indexOf(min);
  const mk = (lvl: LogLevel) => (msg: string, ...args: unknown[]) => {
    if (order.indexOf(lvl) < at) return;
    const extra = args.length ? ' ' + args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ') : '';
    stream.write(`[${lvl}] ${msg}${extra}\n`);
  };
  return { trace: mk('trace'), debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error') };
}

/** Events the engine emits while it works; front ends subscribe for progress. Payloads are plain data. */
export interface EngineEvents {
  'run:start': { runId: string; total: number };
  'request:done': { runId: string; done: number; total: number; passed: number; failed: number };
  'mock:call': { service: string; method: string; url: string; matched: boolean; stubId?: string };
  'run:end': { runId: string; verdict: 'pass' | 'fail' | 'error' | 'aborted' };
  'source:issue': { file: string; line?: number; entry?: number; severity: 'error' | 'warning' | 'info'; message: string };
}

export interface EngineContext {
  logger: Logger;
  clock: Clock;
  events: TypedEmitter<EngineEvents>;
}

export function defaultContext(partial: Partial<EngineContext> = {}): EngineContext {
  return {
    logger: partial.logger ?? silentLogger,
    clock: partial.clock ?? systemClock,
    events: partial.events ?? new TypedEmitter<EngineEvents>(),
  };
}
