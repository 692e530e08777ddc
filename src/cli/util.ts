/** Shared CLI plumbing: exit codes, usage errors, config loading with overrides, context, Ctrl-C. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RepriseConfig } from '../engine/config/types.js';
import { loadConfig, formatIssue } from '../engine/config/index.js';
import { defaultContext, consoleLogger, type EngineContext } from '../engine/context.js';

export const EXIT = { ok: 0, gateFailed: 1, usage: 2, runtime: 3 } as const;

export class UsageError extends Error {}
/** An error whose message is already user-facing; exit with its code. */
export class CliError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

export interface Io {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  err: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function findConfig(cwd: string, given?: string): string {
  if (given) return resolve(cwd, given);
  for (const name of ['reprise.yaml', 'reprise.yml', 'reprise.json']) {
    const p = resolve(cwd, name);
    if (existsSync(p)) return p;
  }
  return resolve(cwd, 'reprise.yaml');
}

/** Load and validate a config; every problem is printed as file:line:col and the command exits 2. */
export async function loadConfigOrExit(io: Io, file: string): Promise<RepriseConfig> {
  const { config, issues } = await loadConfig(file);
  for (const i of issues) io.err.write(formatIssue(i) + '\n');
  const errors = issues.filter((i) => i.severity === 'error');
  if (!config || errors.length) {
    throw new CliError(`${errors.length || 1} error${errors.length === 1 ? '' : 's'} in ${file}`, EXIT.usage);
  }
  return config;
}

export function useColor(io: Io, flag?: boolean): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR) return false;
  if (io.env.FORCE_COLOR) return true;
  return !!io.out.isTTY;
}

/** The --target and --traffic overrides (run, learn, mock): a checked URL; comma-separated paths from cwd. */
export function applyOverrides(config: RepriseConfig, io: Io, values: { target?: string; traffic?: string }): void {
  if (values.target) {
    try {
      new URL(values.target);
    } catch {
      throw new UsageError(`--target must be a URL, got '${values.target}'`);
    }
    config.target = values.target;
  }
  if (values.traffic) config.traffic = values.traffic.split(',').filter(Boolean).map((p) => resolve(io.cwd, p));
}

/** An engine context logging warnings (debug with REPRISE_LOG=debug) to stderr. */
export function cliContext(io: Io): EngineContext {
  return defaultContext({ logger: consoleLogger(io.env.REPRISE_LOG === 'debug' ? 'debug' : 'warn', io.err) });
}

/**
 * Run `fn` with a signal that the first SIGINT/SIGTERM aborts (with `new Error(reason)` when given, after
 * printing the stopping notice when asked); a second one exits 130 at once.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>, opts: { notice?: Io['err']; reason?: string } = {}): Promise<T> {
  const ac = new AbortController();
  const onSig = () => {
    if (ac.signal.aborted) process.exit(130);
    opts.notice?.write('\nreprise: stopping (Ctrl-C again to force)…\n');
    ac.abort(opts.reason === undefined ? undefined : new Error(opts.reason));
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    return await fn(ac.signal);
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}
