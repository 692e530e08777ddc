/**
 * The service under test as a child process: started through the shell in its own process group
 * (`detached`), its stdout and stderr appended to a log file and scanned for error lines, and stopped as
 * a whole group — SIGTERM, then SIGKILL after a grace period — however the run ends. If the Reprise
 * process itself exits while the service still runs (a second Ctrl-C, process.exit), an `exit` hook
 * SIGKILLs the group synchronously, so no service is left behind. (Only a SIGKILL of Reprise itself can
 * orphan it: nothing runs then.)
 *
 * Zombies: on a system whose PID 1 does not reap orphans (some containers), a killed grandchild stays a
 * zombie and its process group still "exists" for kill(-pgid, 0). A group whose remaining members are all
 * zombies counts as gone (checked through /proc on Linux).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Logger } from '../context.js';
import { silentLogger } from '../context.js';

export interface StartProcessOptions {
  /** Shell command line. */
  command: string;
  cwd: string;
  /** The complete environment of the process. */
  env: NodeJS.ProcessEnv;
  /** Append stdout and stderr here (created). */
  logFile?: string;
  /** Lines matching this count as error lines. */
  errorPattern?: RegExp;
  logger?: Logger;
  /** Lines of output kept for error messages. Default 20. */
  keepLines?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (spawn error). */
  error?: string;
}

export interface StopResult {
  /** What it took: the service had already exited (none), SIGTERM was enough, or SIGKILL was needed. */
  how: 'none' | 'SIGTERM' | 'SIGKILL';
  durationMs: number;
  exit: ExitInfo | undefined;
  /** Members of the group still alive after SIGKILL (should be 0). */
  survivors: number;
}

const isLinux = process.platform === 'linux';
const isWindows = process.platform === 'win32';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits for `p` at most `ms` (the timer is cleared, so it never holds the process open). */
async function atMost(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}

/** Non-zombie processes whose process group is `pgid` (Linux /proc); undefined when /proc is unreadable. */
export function groupMembers(pgid: number): number[] | undefined {
  if (!isLinux) return undefined;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const out: number[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${n}/stat`, 'utf8');
    } catch {
      continue;
    }
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') out.push(Number(n));
  }
  return out;
}

/** Whether any live (non-zombie) process is left in process group `pgid`. */
export function groupAlive(pgid: number): boolean {
  if (isWindows) {
    try {
      process.kill(pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const members = groupMembers(pgid);
  return members === undefined ? true : members.length > 0;
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  if (isWindows) {
    if (signal === 'SIGKILL') spawnSync('taskkill', ['/pid', String(pgid), '/T', '/F'], { stdio: 'ignore' });
    else spawnSync('taskkill', ['/pid', String(pgid), '/T'], { stdio: 'ignore' });
    return;
  }
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Splits a stream into lines, calling `onLine` for each complete one (and the last partial one at end). */
function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let carry = '';
  return {
    push(chunk) {
      const text = carry + chunk.toString('utf8');
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      if (carry.length > 64 * 1024) {
        onLine(carry);
        carry = '';
      }
      for (const p of parts) onLine(p.replace(/\r$/, ''));
    },
    end() {
      if (carry) onLine(carry);
      carry = '';
    },
  };
}

/** A started service. Create with `startProcess`. */
export class ServiceProcess {
  readonly command: string;
  readonly pid: number;
  /** Resolves when the root process has exited (or failed to start). Never rejects. */
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private readonly child: ChildProcess;
  private readonly log: WriteStream | undefined;
  private readonly errorPattern: RegExp | undefined;
  private errors = 0;
  private lines = 0;
  private readonly last: string[] = [];
  private readonly keep: number;
  private stopping: Promise<StopResult> | undefined;
  private readonly exitHook: () => void;
  private readonly outputDone: Promise<unknown>;
  private readonly logger: Logger;

  private constructor(child: ChildProcess, opts: StartProcessOptions) {
    this.child = child;
    this.command = opts.command;
    this.pid = child.pid ?? -1;
    this.errorPattern = opts.errorPattern;
    this.keep = opts.keepLines ?? 20;
    this.logger = opts.logger ?? silentLogger;
    this.log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    this.log?.on('error', (e) => this.logger.warn(`service log ${opts.logFile}: ${e.message}`));
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve((this.exitInfo = { code, signal })));
      child.once('error', (e) => {
        if (this.exitInfo) return;
        resolve((this.exitInfo = { code: null, signal: null, error: e.message }));
      });
    });
    const done: Promise<unknown>[] = [];
    for (const [stream, tag] of [[child.stdout, 'out'], [child.stderr, 'err']] as const) {
      if (!stream) continue;
      const split = lineSplitter((l) => this.onLine(l, tag));
      stream.on('data', (c: Buffer) => {
        this.log?.write(c);
        split.push(c);
      });
      done.push(
        new Promise<void>((r) => {
          stream.once('close', () => {
            split.end();
            r();
          });
          stream.once('error', () => r());
        }),
      );
    }
    this.outputDone = Promise.all(done);
    this.exitHook = () => {
      if (groupAliveQuick(this.pid)) killGroup(this.pid, 'SIGKILL');
    };
    if (this.pid > 0) process.on('exit', this.exitHook);
    else void this.exited.then(() => this.closeLog());
  }

  /**
   * Start `command` through the shell in its own process group. Resolves once spawned (not ready: see
   * waitReady); a command that cannot be spawned gives a process whose `exited` resolves at once with
   * `error` set.
   */
  static start(opts: StartProcessOptions): ServiceProcess {
    const child = spawn(opts.command, {
      cwd: opts.cwd,
      env: opts.env,
      shell: true,
      detached: !isWindows,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child, opts);
  }

  private onLine(line: string, _tag: 'out' | 'err'): void {
    this.lines++;
    if (this.errorPattern) {
      this.errorPattern.lastIndex = 0;
      if (this.errorPattern.test(line)) this.errors++;
    }
    this.last.push(line.length > 500 ? line.slice(0, 500) + '…' : line);
    if (this.last.length > this.keep) this.last.shift();
  }

  /** Error lines seen so far (all output since start). */
  errorLines(): number {
    return this.errors;
  }

  /** Output lines seen so far. */
  outputLines(): number {
    return this.lines;
  }

  /** The last lines of output (stdout and stderr interleaved as they arrived). */
  lastLines(n = this.keep): string[] {
    return this.last.slice(-n);
  }

  /** How the root process ended, once it has. */
  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Let output already written by the service reach us (pipes are read asynchronously). */
  async settleOutput(ms = 50): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await sleep(ms);
  }

  /** Whether any process of the service's group is still alive. */
  alive(): boolean {
    if (this.pid <= 0) return false;
    return groupAlive(this.pid);
  }

  /**
   * Stop the whole process group: SIGTERM, wait up to `graceMs` for every member to go, then SIGKILL.
   * Idempotent (later calls return the first call's result).
   */
  stop(graceMs: number): Promise<StopResult> {
    this.stopping ??= this.doStop(graceMs);
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<StopResult> {
    const t0 = performance.now();
    let how: StopResult['how'] = 'none';
    if (this.pid > 0 && this.alive()) {
      how = 'SIGTERM';
      killGroup(this.pid, 'SIGTERM');
      if (!(await this.waitGone(graceMs))) {
        how = 'SIGKILL';
        this.logger.warn(`service (pid ${this.pid}) still running ${graceMs} ms after SIGTERM: sending SIGKILL`);
        killGroup(this.pid, 'SIGKILL');
        await this.waitGone(5000);
      }
    }
    // The root has exited (or is about to, after SIGKILL): collect its status.
    if (this.pid > 0) await atMost(this.exited, 2000);
    await atMost(this.outputDone, 1000);
    process.off('exit', this.exitHook);
    await this.closeLog();
    const survivors = this.pid > 0 ? (groupMembers(this.pid)?.length ?? (groupAlive(this.pid) ? 1 : 0)) : 0;
    return { how, durationMs: Math.round(performance.now() - t0), exit: this.exitInfo, survivors };
  }

  private async waitGone(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (!this.alive()) return true;
      if (performance.now() >= deadline) return false;
      await sleep(Math.min(50, Math.max(1, deadline - performance.now())));
    }
  }

  private async closeLog(): Promise<void> {
    const log = this.log;
    if (!log || log.destroyed || log.writableEnded) return;
    const done = once(log, 'finish').catch(() => undefined);
    log.end();
    await atMost(done, 1000);
  }
}

/** kill(-pgid, 0) only (no /proc scan): used in the synchronous exit hook. */
function groupAliveQuick(pgid: number): boolean {
  if (pgid <= 0) return false;
  try {
    process.kill(isWindows ? pgid : -pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Describe how a process ended: `exited with code 1`, `was killed by SIGTERM`, `could not start: …`. */
export function describeExit(e: ExitInfo | undefined): string {
  if (!e) return 'is still running';
  if (e.error) return `could not be started: ${e.error}`;
  if (e.signal) return `was killed by ${e.signal}`;
  return `exited with code ${e.code}`;
}
