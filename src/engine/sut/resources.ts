/**
 * CPU and memory of the service under test, sampled from Linux /proc while the replay runs.
 *
 * The service is its process tree: every process in its process group plus every descendant of its root
 * process (a child that moved to a group of its own still counts). Each sample reads /proc/<pid>/stat of
 * all processes once.
 *
 * - cpu_avg: CPU time (utime + stime) the tree used between the first and the last sample, over the
 *   wall time between them, as % of one core (200 = two cores busy). Processes are told apart by pid and
 *   start time, so a reused pid is not mistaken for an old process; a process first seen after the first
 *   sample counts from zero. Clock ticks are USER_HZ = 100 (fixed by the Linux ABI on all mainstream
 *   architectures).
 * - mem_peak: the highest sum of resident set sizes of the tree over the samples, in bytes.
 *
 * Elsewhere (no /proc) sampling is unsupported and nothing is measured.
 */
import { existsSync, promises as fsp, readFileSync } from 'node:fs';

const USER_HZ = 100;

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** utime + stime, clock ticks. */
  ticks: number;
  /** Start time since boot, clock ticks (identifies the process with pid). */
  start: number;
  /** Resident pages. */
  rssPages: number;
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state): field n is f[n - 3]
  const num = (n: number) => Number(f[n - 3]);
  if (f.length < 22) return undefined;
  return { pid, state: f[0], ppid: num(4), pgrp: num(5), ticks: num(14) + num(15), start: num(22), rssPages: num(24) };
}

let pageSizeCache: number | undefined;
/** Bytes per page: VmRSS of this process over its resident pages (statm); 4096 when that fails. */
export function pageSize(): number {
  if (pageSizeCache) return pageSizeCache;
  pageSizeCache = 4096;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const statm = readFileSync('/proc/self/statm', 'utf8').trim().split(/\s+/);
    const kb = Number(/VmRSS:\s*(\d+)\s*kB/.exec(status)?.[1]);
    const pages = Number(statm[1]);
    if (kb > 0 && pages > 0) {
      const guess = (kb * 1024) / pages;
      // round to a power of two (the two reads are not atomic)
      const p2 = 2 ** Math.round(Math.log2(guess));
      if (p2 >= 4096 && p2 <= 65536) pageSizeCache = p2;
    }
  } catch {
    // keep 4096
  }
  return pageSizeCache;
}

/** All processes from /proc. */
export async function readAllProcs(): Promise<ProcInfo[]> {
  const names = await fsp.readdir('/proc');
  const out: ProcInfo[] = [];
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        try {
          const p = parseProcStat(await fsp.readFile(`/proc/${n}/stat`, 'utf8'));
          if (p) out.push(p);
        } catch {
          // gone meanwhile
        }
      }),
  );
  return out;
}

/** The service's tree among `procs`: group `pgid` plus descendants of `root`, zombies excluded. */
export function treeOf(procs: readonly ProcInfo[], root: number, pgid: number): ProcInfo[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const inTree = (p: ProcInfo): boolean => {
    let cur: ProcInfo | undefined = p;
    for (let i = 0; cur && i < 64; i++) {
      if (cur.pid === root || cur.pgrp === pgid) return true;
      if (cur.ppid <= 1) return false;
      cur = byPid.get(cur.ppid);
    }
    return false;
  };
  return procs.filter((p) => p.state !== 'Z' && p.state !== 'X' && inTree(p));
}

export interface ResourceUsage {
  /** % of one core, averaged over the sampled period. */
  cpu_avg: number;
  /** Peak resident memory of the tree, bytes. */
  mem_peak: number;
  samples: number;
  /** Most processes seen in the tree at once. */
  processes: number;
  /** ms between the first and the last sample. */
  durationMs: number;
}

export class ResourceSampler {
  private readonly root: number;
  private readonly pgid: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly cpu = new Map<string, { first: number; last: number }>();
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  private peak = 0;
  private maxProcs = 0;
  private samples = 0;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  /** Whether this system has /proc to sample. */
  static supported(): boolean {
    return process.platform === 'linux' && existsSync('/proc/self/stat');
  }

  constructor(rootPid: number, opts: { intervalMs: number; pgid?: number }) {
    this.root = rootPid;
    this.pgid = opts.pgid ?? rootPid;
    this.intervalMs = Math.max(10, opts.intervalMs);
  }

  /** Takes the first sample, then samples every interval until stop(). */
  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => {
      this.chain = this.chain.then(() => this.sample());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Takes a last sample and returns the usage (undefined when nothing could be sampled). */
  async stop(): Promise<ResourceUsage | undefined> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.stopped) {
      this.stopped = true;
      await this.chain;
      await this.sample();
    }
    return this.usage();
  }

  /** Usage so far. */
  usage(): ResourceUsage | undefined {
    if (this.samples === 0 || this.firstAt === undefined || this.lastAt === undefined) return undefined;
    let ticks = 0;
    for (const v of this.cpu.values()) ticks += Math.max(0, v.last - v.first);
    const seconds = (this.lastAt - this.firstAt) / 1000;
    const cpu = seconds > 0 ? (ticks / USER_HZ / seconds) * 100 : 0;
    return {
      cpu_avg: Number(cpu.toFixed(2)),
      mem_peak: this.peak,
      samples: this.samples,
      processes: this.maxProcs,
      durationMs: Math.round(this.lastAt - this.firstAt),
    };
  }

  private async sample(): Promise<void> {
    let procs: ProcInfo[];
    try {
      procs = await readAllProcs();
    } catch {
      return;
    }
    const now = performance.now();
    const tree = treeOf(procs, this.root, this.pgid);
    const first = this.firstAt === undefined;
    let rss = 0;
    for (const p of tree) {
      rss += p.rssPages;
      const key = `${p.pid}:${p.start}`;
      const c = this.cpu.get(key);
      if (c) c.last = p.ticks;
      else this.cpu.set(key, { first: first ? p.ticks : 0, last: p.ticks });
    }
    if (first) this.firstAt = now;
    this.lastAt = now;
    this.samples++;
    this.maxProcs = Math.max(this.maxProcs, tree.length);
    this.peak = Math.max(this.peak, rss * pageSize());
  }
}
