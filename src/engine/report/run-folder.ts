/**
 * Run folders on disk: `<runs_dir>/<run-id>/`
 *
 *   run.json         RunSummary. Written when the run starts (status "running"), rewritten atomically
 *                    (temp file + rename) every `summaryEveryResults` results / `summaryIntervalMs`, and
 *                    at the end. A reader never sees a half-written run.json. It names the writer process
 *                    (pid, host, start): a "running" run whose process is gone (kill -9, crash) is read as
 *                    aborted, ended when its folder was last written (see `orphanedRun`).
 *   results.jsonl    one RequestResult per line, appended through a stream with backpressure and
 *                    flushed at least every `flushIntervalMs`, so a killed run (even SIGKILL) leaves every
 *                    complete line readable; readers skip a torn last line.
 *   unmatched.jsonl  one UnmatchedCall per line (only when there were any).
 *   junit.xml        written at the end (see junit.ts).
 *
 * Secret headers, secret query parameters and configured JSON body paths are redacted before anything
 * is written.
 *
 * Run ids look like `2026-11-25T14-03-22-123Z-ab12`: the UTC start time (sortable) plus 4 random hex
 * characters; the folder is created exclusively, so an id is never reused.
 *
 * Baselines: `setBaseline` pins a run in `<runs_dir>/baseline.json` (`{"runId": …}`). `resolveBaseline`
 * with spec undefined returns the pinned run (or null): an explicit pin made in the UI/CLI is honoured
 * when the config names no baseline. A spec of "previous", a run id or a path wins over the pin.
 */
import { createWriteStream, promises as fsp, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RequestResult } from '../replay/types.js';
import type { UnmatchedCall } from '../mocks/types.js';
import type { SourceIssue } from '../store/model.js';
import type { Clock, Logger } from '../context.js';
import { systemClock, silentLogger } from '../context.js';
import type { FailureBrief, Metrics, RunSummary, RunWriterProcess } from './types.js';
import { MetricsCollector } from './metrics.js';
import { failureBrief } from './describe.js';
import { parseRunSummary } from './schema.js';
import { jsonLines } from './lines.js';
import { junitXml, testcaseXml, writeJunitFile, xmlAttr, type JunitOptions } from './junit.js';
import { isSecretHeader, MASK, redactHeaders, redactJsonText, redactUrl } from '../redact.js';
import { pathMatches } from '../validate/jsonpath.js';

function pathMatchesSafe(pattern: string, path: string): boolean {
  try {
    return pathMatches(pattern, path);
  } catch {
    return false;
  }
}

export const RUN_FILE = 'run.json';
export const RESULTS_FILE = 'results.jsonl';
export const UNMATCHED_FILE = 'unmatched.jsonl';
export const JUNIT_FILE = 'junit.xml';
export const BASELINE_FILE = 'baseline.json';
const MAX_FAILURES = 10;

/** `2026-11-25T14-03-22-123Z-ab12`: sortable by time, unique by its random suffix. */
export function newRunId(nowMs: number = Date.now()): string {
  return `${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
}

/** Write a file atomically: temp file in the same folder, then rename over the target. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, data, 'utf8');
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

export function emptyMetrics(): Metrics {
  return new MetricsCollector().finish(0);
}

export interface RunWriterOptions {
  target: string;
  traffic: string[];
  configPath?: string;
  baseline?: { runId: string; path: string } | null;
  sourceIssues?: SourceIssue[];
  /** Use this id instead of a generated one (the folder must not exist). */
  runId?: string;
  clock?: Clock;
  logger?: Logger;
  /**
   * Metrics for the live run.json. When given, the caller feeds it (the writer only reads it);
   * otherwise the writer keeps its own collector fed by `result()`.
   */
  collector?: MetricsCollector;
  /** Rewrite run.json after this many results (default 1000)… */
  summaryEveryResults?: number;
  /** …or this often while results arrive (default 1000 ms). */
  summaryIntervalMs?: number;
  /** Hand buffered result lines to the OS at least this often (default 200 ms)… */
  flushIntervalMs?: number;
  /** …or when this many bytes are buffered (default 64 KiB). */
  flushBytes?: number;
  /** Extra header names and JSON body paths to redact. */
  redact?: { headers?: string[]; jsonPaths?: string[] };
  /** Write junit.xml at the end (default true). */
  junit?: boolean;
  /**
   * Above this many results junit.xml is compact (default 50 000): per endpoint, the failed and errored
   * requests (the first `junitMaxListed` of the run) plus one testcase standing for the passed ones, one
   * for the skipped ones and one for failures not listed; the full counts are in the suites' properties.
   * Compact junit.xml is built from what the writer saw, without reading results.jsonl again.
   */
  junitFullLimit?: number;
  /** Failed/errored testcases listed in a compact junit.xml (default 1000). */
  junitMaxListed?: number;
}

/** Per-endpoint counts kept for a compact junit.xml. */
interface JunitSuiteAcc {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeMs: number;
  /** Testcase XML of the listed failures/errors. */
  listed: string[];
  listedFailures: number;
}

/** Suites kept for a compact junit.xml; endpoints beyond this share one suite. */
const JUNIT_MAX_SUITES = 10_000;
const JUNIT_OTHER_SUITE = '(other endpoints)';

export class RunWriter {
  readonly runId: string;
  readonly dir: string;
  private current: RunSummary;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly opts: RunWriterOptions;
  private readonly collector: MetricsCollector;
  private readonly ownCollector: boolean;
  private readonly startedMono: number;
  private results: WriteStream;
  private unmatchedOut: WriteStream | undefined;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private sinceSummary = 0;
  private lastSummaryAt: number;
  private dirty = false;
  private summaryChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout;
  private streamError: Error | undefined;
  private closed = false;
  private readonly failures: FailureBrief[] = [];
  private count = 0;
  private readonly secretNames = new Map<string, boolean>();
  private readonly junitSuites = new Map<string, JunitSuiteAcc>();
  private junitListed = 0;

  private constructor(dir: string, runId: string, summary: RunSummary, opts: RunWriterOptions, results: WriteStream) {
    this.dir = dir;
    this.runId = runId;
    this.current = summary;
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.ownCollector = !opts.collector;
    this.collector = opts.collector ?? new MetricsCollector();
    this.startedMono = this.clock.monotonic();
    this.lastSummaryAt = this.startedMono;
    this.results = results;
    results.on('error', (e) => (this.streamError ??= e));
    this.timer = setInterval(() => void this.tick(), opts.flushIntervalMs ?? 200);
    this.timer.unref();
  }

  /** Create `<runsDir>/<run-id>/`, write run.json (status "running") and open results.jsonl. */
  static async create(runsDir: string, opts: RunWriterOptions): Promise<RunWriter> {
    const clock = opts.clock ?? systemClock;
    await fsp.mkdir(runsDir, { recursive: true });
    let runId = opts.runId ?? newRunId(clock.now());
    let dir = path.join(runsDir, runId);
    for (let attempt = 0; ; attempt++) {
      try {
        await fsp.mkdir(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || opts.runId || attempt > 20) throw e;
        runId = newRunId(clock.now());
        dir = path.join(runsDir, runId);
      }
    }
    const summary: RunSummary = {
      schema: 'reprise.run/1',
      runId,
      status: 'running',
      verdict: 'running',
      startedAt: new Date(clock.now()).toISOString(),
      target: opts.target,
      configPath: opts.configPath,
      traffic: [...opts.traffic],
      baseline: opts.baseline ?? null,
      metrics: emptyMetrics(),
      gates: [],
      endpoints: [],
      mocks: [],
      sourceIssues: [...(opts.sourceIssues ?? [])],
      writer: thisProcess(),
    };
    await writeFileAtomic(path.join(dir, RUN_FILE), JSON.stringify(summary, null, 2) + '\n');
    const results = createWriteStream(path.join(dir, RESULTS_FILE), { flags: 'a', encoding: 'utf8' });
    await once(results, 'open');
    return new RunWriter(dir, runId, summary, opts, results);
  }

  /** The summary as last written (or about to be), with live metrics. */
  get summary(): RunSummary {
    return this.live();
  }

  /** Results written so far. */
  get written(): number {
    return this.count;
  }

  /** Append one result (redacted). Resolves when the stream can take more (backpressure). */
  async result(r: RequestResult): Promise<void> {
    if (this.closed) throw new Error(`run ${this.runId} is finished; no more results`);
    if (this.streamError) throw this.streamError;
    if (this.ownCollector) this.collector.add(r);
    this.count++;
    if ((r.outcome === 'fail' || r.outcome === 'error') && this.failures.length < MAX_FAILURES) {
      this.failures.push(failureBrief(r));
    }
    const red = this.redactResult(r);
    if (this.opts.junit !== false) this.junitAdd(red);
    const line = JSON.stringify(red) + '\n';
    this.buffer.push(line);
    this.bufferBytes += line.length;
    this.dirty = true;
    this.sinceSummary++;
    if (this.bufferBytes >= (this.opts.flushBytes ?? 64 * 1024)) await this.flush();
    if (this.sinceSummary >= (this.opts.summaryEveryResults ?? 1000)) {
      await this.flush();
      await this.writeSummary(this.live());
    }
  }

  /** Append one unmatched mock call (headers and configured body paths redacted). */
  async unmatched(call: UnmatchedCall): Promise<void> {
    if (this.closed) throw new Error(`run ${this.runId} is finished; no more unmatched calls`);
    if (!this.unmatchedOut) {
      this.unmatchedOut = createWriteStream(path.join(this.dir, UNMATCHED_FILE), { flags: 'a', encoding: 'utf8' });
      this.unmatchedOut.on('error', (e) => (this.streamError ??= e));
    }
    if (this.streamError) throw this.streamError;
    const red: UnmatchedCall = {
      ...call,
      request: {
        ...call.request,
        url: redactUrl(call.request.url, this.opts.redact?.headers),
        headers: redactHeaders(call.request.headers, this.opts.redact?.headers),
        body: call.request.bodyEncoding === 'base64' ? call.request.body : redactJsonText(call.request.body, this.opts.redact?.jsonPaths ?? []),
      },
    };
    if (!this.unmatchedOut.write(JSON.stringify(red) + '\n')) await once(this.unmatchedOut, 'drain');
  }

  /** Hand buffered result lines to the OS now. */
  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.bufferBytes = 0;
    if (!this.results.write(chunk)) await once(this.results, 'drain');
    if (this.streamError) throw this.streamError;
  }

  /**
   * Finish the run: flush, close the files, write junit.xml, then the final run.json (last, so a
   * "completed" run.json means the folder is complete). `final` is merged over the live summary;
   * missing metrics/endpoints come from the collector, a missing verdict from the gates.
   */
  async finish(final: Partial<RunSummary> = {}): Promise<RunSummary> {
    if (this.closed) throw new Error(`run ${this.runId} is already finished`);
    const live = this.live();
    this.closed = true;
    clearInterval(this.timer);
    const gates = final.gates ?? live.gates;
    const status = final.status && final.status !== 'running' ? final.status : 'completed';
    const verdict =
      final.verdict && final.verdict !== 'running'
        ? final.verdict
        : status === 'aborted'
          ? 'aborted'
          : status === 'error'
            ? 'error'
            : gates.every((g) => g.pass)
              ? 'pass'
              : 'fail';
    const summary: RunSummary = {
      ...live,
      ...stripUndefined(final),
      schema: 'reprise.run/1',
      runId: this.runId,
      startedAt: live.startedAt,
      status,
      verdict,
      gates,
      endedAt: final.endedAt ?? new Date(this.clock.now()).toISOString(),
      failures: final.failures ?? [...this.failures],
    };
    let closeError: unknown;
    try {
      await this.flush();
    } catch (e) {
      closeError = e;
    }
    await endStream(this.results).catch((e) => (closeError ??= e));
    if (this.unmatchedOut) await endStream(this.unmatchedOut).catch((e) => (closeError ??= e));
    if (this.opts.junit !== false) {
      try {
        const out = path.join(this.dir, JUNIT_FILE);
        if (this.count > (this.opts.junitFullLimit ?? 50_000)) await this.writeCompactJunit(out, summary);
        else await writeJunitFile(out, summary, path.join(this.dir, RESULTS_FILE), this.junitOptions());
      } catch (e) {
        this.logger.warn(`could not write ${JUNIT_FILE}: ${(e as Error).message}`);
      }
    }
    await this.writeSummary(summary);
    this.current = summary;
    if (closeError) throw closeError;
    return summary;
  }

  /** Finish as aborted (cancelled, cutoff): status and verdict "aborted", with the reason. */
  abort(reason: string, final: Partial<RunSummary> = {}): Promise<RunSummary> {
    return this.finish({ ...final, status: 'aborted', verdict: 'aborted', abortReason: reason });
  }

  /** Finish as failed by an internal error (status and verdict "error"). */
  fail(error: string, metrics?: Metrics, sourceIssues?: SourceIssue[]): Promise<RunSummary> {
    return this.finish({ status: 'error', verdict: 'error', error, metrics, sourceIssues });
  }

  private live(): RunSummary {
    if (this.closed) return this.current;
    const elapsed = this.clock.monotonic() - this.startedMono;
    return {
      ...this.current,
      metrics: this.collector.finish(elapsed),
      endpoints: this.collector.endpoints(),
      failures: [...this.failures],
    };
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
      const now = this.clock.monotonic();
      if (this.dirty && now - this.lastSummaryAt >= (this.opts.summaryIntervalMs ?? 1000)) {
        await this.writeSummary(this.live());
      }
    } catch (e) {
      this.streamError ??= e as Error;
    }
  }

  private writeSummary(summary: RunSummary): Promise<void> {
    this.dirty = false;
    this.sinceSummary = 0;
    this.lastSummaryAt = this.clock.monotonic();
    const text = JSON.stringify(summary, null, 2) + '\n';
    const file = path.join(this.dir, RUN_FILE);
    this.summaryChain = this.summaryChain.catch(() => {}).then(() => writeFileAtomic(file, text));
    return this.summaryChain;
  }

  private redactResult(r: RequestResult): RequestResult {
    const extra = this.opts.redact?.headers;
    const paths = this.opts.redact?.jsonPaths ?? [];
    const url = mayHaveSecretQuery(r.url, extra) ? redactUrl(r.url, extra) : r.url;
    // Fast path (the common case): nothing to mask, so the result is written as it is.
    if (url === r.url && (!r.actual || (!paths.length && !this.hasSecretHeader(r.actual.headers)))) return r;
    const out: RequestResult = { ...r, url };
    if (r.actual) {
      out.actual = {
        ...r.actual,
        headers: redactHeaders(r.actual.headers, extra),
        body: r.actual.bodyEncoding === 'base64' ? r.actual.body : redactJsonText(r.actual.body, paths),
      };
      if (out.actual.body === undefined) delete out.actual.body;
    }
    if (paths.length && r.validation?.diffs.length) {
      // A configured secret body field shows in a diff too: mask its values there.
      const secret = (p: string) => paths.some((pat) => pathMatchesSafe(pat, p));
      if (r.validation.diffs.some((d) => secret(d.path))) {
        out.validation = {
          ...r.validation,
          diffs: r.validation.diffs.map((d) =>
            secret(d.path) ? { ...d, ...(d.expected !== undefined ? { expected: MASK } : {}), ...(d.actual !== undefined ? { actual: MASK } : {}) } : d,
          ),
        };
      }
    }
    return out;
  }

  private junitOptions(): JunitOptions {
    return { redactHeaders: this.opts.redact?.headers, redactJsonPaths: this.opts.redact?.jsonPaths };
  }

  /** Count a (redacted) result for a compact junit.xml; keep its testcase when it failed and fits. */
  private junitAdd(r: RequestResult): void {
    let key = typeof r.endpoint === 'string' ? r.endpoint : '';
    let acc = this.junitSuites.get(key);
    if (!acc && this.junitSuites.size >= JUNIT_MAX_SUITES) acc = this.junitSuites.get((key = JUNIT_OTHER_SUITE));
    if (!acc) this.junitSuites.set(key, (acc = { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0, listed: [], listedFailures: 0 }));
    acc.tests++;
    acc.timeMs += r.latencyMs ?? 0;
    if (r.outcome === 'skipped') acc.skipped++;
    else if (r.outcome === 'fail' || r.outcome === 'error') {
      if (r.outcome === 'fail') acc.failures++;
      else acc.errors++;
      if (this.junitListed < (this.opts.junitMaxListed ?? 1000)) {
        this.junitListed++;
        if (r.outcome === 'fail') acc.listedFailures++;
        acc.listed.push(testcaseXml(r, this.junitOptions()));
      }
    }
  }

  /**
   * junit.xml for a big run, from the counts kept while results were written: the listed failures and
   * one summary testcase each for the passed, the skipped and the unlisted failed/errored requests, so
   * every suite's counters match its testcases; the real counts are the suite's properties.
   */
  private async writeCompactJunit(outFile: string, summary: RunSummary): Promise<void> {
    // The gate suite as junit.ts renders it: the chunk between the root element's start and end.
    const chunks = [...junitXml(summary, [])];
    const gateSuite = summary.gates.length ? chunks.slice(1, -1).join('') : '';
    const suites: string[] = [];
    const total = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    for (const g of summary.gates) {
      total.tests++;
      if (!g.pass) total.failures++;
    }
    for (const [endpoint, a] of this.junitSuites) {
      const cls = xmlAttr(endpoint);
      const cases = [...a.listed];
      let failures = a.listedFailures;
      const errors = a.listed.length - failures;
      const unlistedFail = a.failures - failures;
      const unlistedErr = a.errors - errors;
      const passed = a.tests - a.failures - a.errors - a.skipped;
      if (unlistedFail + unlistedErr > 0) {
        const n = unlistedFail + unlistedErr;
        const msg = `${n} more failed or errored request${n === 1 ? '' : 's'} not listed (${unlistedFail} failed, ${unlistedErr} errored); see ${RESULTS_FILE}`;
        cases.push(`    <testcase classname="${cls}" name="${xmlAttr(`${n} more failed/errored requests`)}" time="0.000">\n      <failure message="${xmlAttr(msg)}" type="not-listed"/>\n    </testcase>\n`);
        failures++;
      }
      if (passed > 0) {
        cases.push(`    <testcase classname="${cls}" name="${xmlAttr(`${passed} passed request${passed === 1 ? '' : 's'}`)}" time="0.000"/>\n`);
      }
      if (a.skipped > 0) {
        cases.push(`    <testcase classname="${cls}" name="${xmlAttr(`${a.skipped} skipped request${a.skipped === 1 ? '' : 's'}`)}" time="0.000">\n      <skipped/>\n    </testcase>\n`);
      }
      const tests = cases.length;
      const skipped = a.skipped > 0 ? 1 : 0;
      total.tests += tests;
      total.failures += failures;
      total.errors += errors;
      total.skipped += skipped;
      const props =
        `    <properties>\n` +
        `      <property name="requests" value="${a.tests}"/>\n      <property name="passed" value="${passed}"/>\n` +
        `      <property name="failed" value="${a.failures}"/>\n      <property name="errors" value="${a.errors}"/>\n` +
        `      <property name="skipped" value="${a.skipped}"/>\n    </properties>\n`;
      suites.push(
        `  <testsuite name="${xmlAttr(endpoint)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(a.timeMs / 1000).toFixed(3)}">\n` +
          props +
          cases.join('') +
          `  </testsuite>\n`,
      );
    }
    const head =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<!-- compact: ${this.count} results (more than ${this.opts.junitFullLimit ?? 50_000}); passed requests are summarised per endpoint, every result is in ${RESULTS_FILE} -->\n` +
      `<testsuites name="${xmlAttr(`reprise ${summary.runId}`)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${((summary.metrics.duration_ms ?? 0) / 1000).toFixed(3)}" timestamp="${xmlAttr(summary.startedAt)}">\n`;
    const tmp = `${outFile}.tmp-${process.pid}`;
    try {
      await fsp.writeFile(tmp, head + gateSuite + suites.join('') + '</testsuites>\n', 'utf8');
      await fsp.rename(tmp, outFile);
    } catch (e) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
  }

  /** Any header to mask (names memoised, bounded)? */
  private hasSecretHeader(headers: Record<string, string | string[]> | undefined): boolean {
    if (!headers) return false;
    const extra = this.opts.redact?.headers;
    for (const k in headers) {
      let secret = this.secretNames.get(k);
      if (secret === undefined) {
        secret = isSecretHeader(k, extra);
        if (this.secretNames.size < 4096) this.secretNames.set(k, secret);
      }
      if (secret) return true;
    }
    return false;
  }
}

/** Words that can make a query parameter secret (a superset of redact.ts SECRET_PARTS + key/auth; keep in step); `%` may hide them. */
const MAYBE_SECRET_QUERY = /token|secret|passw|api|credential|key|auth|%/i;

/** False when redactUrl(url, extra) would certainly return `url` unchanged. */
function mayHaveSecretQuery(url: string, extra: readonly string[] | undefined): boolean {
  const q = url.indexOf('?');
  if (q < 0) return false;
  if (extra?.length) return true;
  return MAYBE_SECRET_QUERY.test(url.slice(q + 1));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

async function endStream(s: WriteStream): Promise<void> {
  if (s.destroyed) return;
  const done = once(s, 'finish');
  s.end();
  await done;
}

// ---------------------------------------------------------------------------------------------------
// Reading run folders

/** The current process as a run's writer. */
export function thisProcess(): RunWriterProcess {
  return { pid: process.pid, host: hostname(), startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString() };
}

/**
 * Whether the process `pid` on this host is alive (signal 0 checks without sending anything; EPERM means
 * it exists but belongs to someone else).
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run as it should be shown: when run.json says "running" but the writer process it names is gone
 * (same host, pid not alive), the run is aborted — status and verdict "aborted", `endedAt` and
 * `orphaned.lastWrittenAt` the last time anything in its folder was written, and an `abortReason` saying
 * so. Other runs (finished, still alive, written on another host, or from before writers were recorded)
 * are returned as they are. Nothing on disk is changed.
 */
export async function orphanedRun(summary: RunSummary, runDir: string, alive: (pid: number) => boolean = processAlive): Promise<RunSummary> {
  const w = summary.writer;
  if (summary.status !== 'running' || !w || w.host !== hostname() || alive(w.pid)) return summary;
  let last = Date.parse(summary.startedAt) || 0;
  for (const f of [RUN_FILE, RESULTS_FILE, UNMATCHED_FILE]) {
    try {
      last = Math.max(last, (await fsp.stat(path.join(runDir, f))).mtimeMs);
    } catch {
      // not written (yet)
    }
  }
  const lastWrittenAt = new Date(last).toISOString();
  return {
    ...summary,
    status: 'aborted',
    verdict: 'aborted',
    endedAt: lastWrittenAt,
    abortReason: `its process (pid ${w.pid}) is gone; last written ${lastWrittenAt}`,
    orphaned: { lastWrittenAt },
  };
}

export interface RunFolderIssue {
  runId: string;
  file: string;
  message: string;
}

function isPlainId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !/[\\/]/.test(id);
}

/** Every readable run in `runsDir`, newest first, plus the folders whose run.json could not be read. */
export async function listRunsDetailed(runsDir: string): Promise<{ runs: RunSummary[]; issues: RunFolderIssue[] }> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], issues: [] };
    throw e;
  }
  const runs: RunSummary[] = [];
  const issues: RunFolderIssue[] = [];
  await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const file = path.join(runsDir, e.name, RUN_FILE);
        try {
          runs.push(await orphanedRun(parseRunSummary(await fsp.readFile(file, 'utf8'), file), path.join(runsDir, e.name)));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          issues.push({ runId: e.name, file, message: code === 'ENOENT' ? `${file}: missing` : (err as Error).message });
        }
      }),
  );
  runs.sort(newestFirst);
  issues.sort((a, b) => (a.runId < b.runId ? 1 : -1));
  return { runs, issues };
}

function newestFirst(a: RunSummary, b: RunSummary): number {
  const ta = Date.parse(a.startedAt) || 0;
  const tb = Date.parse(b.startedAt) || 0;
  if (ta !== tb) return tb - ta;
  return a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0;
}

/**
 * Runs in `runsDir`, newest first. A folder with a missing or broken run.json is skipped and reported
 * through `onIssue` (use listRunsDetailed to get them as data). A missing runsDir is an empty list.
 */
export async function listRuns(runsDir: string, opts: { onIssue?: (i: RunFolderIssue) => void } = {}): Promise<RunSummary[]> {
  const { runs, issues } = await listRunsDetailed(runsDir);
  for (const i of issues) opts.onIssue?.(i);
  return runs;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Resolve `ref` (run id, "latest", run folder path or run.json path) to a run folder. */
export async function runDirOf(runsDir: string, ref: string, cwd?: string): Promise<string> {
  if (ref === 'latest') {
    const [newest] = await listRuns(runsDir);
    if (!newest) throw new Error(`no runs in ${runsDir}`);
    return path.join(runsDir, newest.runId);
  }
  if (isPlainId(ref) && (await exists(path.join(runsDir, ref, RUN_FILE)))) return path.join(runsDir, ref);
  const p = path.resolve(cwd ?? process.cwd(), ref);
  if (await exists(path.join(p, RUN_FILE))) return p;
  if (path.basename(p) === RUN_FILE && (await exists(p))) return path.dirname(p);
  throw new Error(`run '${ref}' not found: no ${path.join(runsDir, ref, RUN_FILE)}${isPlainId(ref) ? '' : ` and no run folder at ${p}`}`);
}

/**
 * Read a run's summary. `readRun(runsDir, id)` with id a run id, "latest", or a path to a run folder or
 * its run.json; `readRun(pathToRunFolderOrRunJson)` with one argument.
 */
export async function readRun(runsDirOrPath: string, id?: string): Promise<RunSummary> {
  let dir: string;
  if (id === undefined) {
    dir = path.basename(runsDirOrPath) === RUN_FILE ? path.dirname(runsDirOrPath) : runsDirOrPath;
  } else {
    dir = await runDirOf(runsDirOrPath, id);
  }
  const file = path.join(dir, RUN_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: no such run`);
    throw e;
  }
  return orphanedRun(parseRunSummary(text, file), dir);
}

export interface ReadResultsOptions {
  /** Results to skip (after filtering). Default 0. */
  offset?: number;
  /** Results to return at most (after filtering). Default all. */
  limit?: number;
  /** 'failed' keeps outcome fail and error. Default 'all'. */
  filter?: 'failed' | 'all';
  signal?: AbortSignal;
  /** Called for a line that does not parse and is not the last line of the file. */
  onIssue?: (i: { file: string; line: number; message: string }) => void;
}

/**
 * Results of a run folder, streamed in file order. A torn last line (a killed run) is skipped silently;
 * other unparseable lines are skipped and reported through onIssue.
 */
export async function* readResults(runDir: string, opts: ReadResultsOptions = {}): AsyncGenerator<RequestResult> {
  const file = path.join(runDir, RESULTS_FILE);
  let skip = opts.offset ?? 0;
  let left = opts.limit ?? Infinity;
  if (left <= 0) return;
  let pendingBad: { line: number; message: string } | undefined;
  for await (const l of jsonLines<RequestResult>(file, opts.signal)) {
    if (pendingBad) {
      // A bad line followed by more lines was not a torn tail: report it.
      opts.onIssue?.({ file, ...pendingBad });
      pendingBad = undefined;
    }
    const r = l.value;
    if (!r || typeof r !== 'object' || typeof r.outcome !== 'string') {
      pendingBad = { line: l.no, message: l.error ? `invalid JSON: ${l.error}` : 'not a request result' };
      continue;
    }
    if (opts.filter === 'failed' && r.outcome !== 'fail' && r.outcome !== 'error') continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    yield r;
    if (--left <= 0) return;
  }
}

/** One page of results: `items`, and `hasMore` when results remain after it. */
export async function readResultsPage(
  runDir: string,
  opts: ReadResultsOptions & { limit: number },
): Promise<{ items: RequestResult[]; offset: number; hasMore: boolean }> {
  const items: RequestResult[] = [];
  let hasMore = false;
  for await (const r of readResults(runDir, { ...opts, limit: opts.limit + 1 })) {
    if (items.length === opts.limit) {
      hasMore = true;
      break;
    }
    items.push(r);
  }
  return { items, offset: opts.offset ?? 0, hasMore };
}

/** Unmatched mock calls of a run (none when the file is absent). Unparseable lines are skipped. */
export async function readUnmatched(runDir: string, opts: { limit?: number; signal?: AbortSignal } = {}): Promise<UnmatchedCall[]> {
  const out: UnmatchedCall[] = [];
  const limit = opts.limit ?? Infinity;
  for await (const l of jsonLines<UnmatchedCall>(path.join(runDir, UNMATCHED_FILE), opts.signal)) {
    if (out.length >= limit) break;
    if (l.value && typeof l.value === 'object') out.push(l.value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Baselines

/** Pin a run as the baseline: writes `<runsDir>/baseline.json`. The run must exist. */
export async function setBaseline(runsDir: string, runId: string): Promise<void> {
  if (!isPlainId(runId)) throw new Error(`not a run id: '${runId}'`);
  await readRun(path.join(runsDir, runId));
  const body = { schema: 'reprise.baseline/1', runId, setAt: new Date().toISOString() };
  await fsp.mkdir(runsDir, { recursive: true });
  await writeFileAtomic(path.join(runsDir, BASELINE_FILE), JSON.stringify(body, null, 2) + '\n');
}

/** The pinned baseline run id, or null (also when baseline.json is unreadable). */
export async function getBaseline(runsDir: string): Promise<string | null> {
  try {
    const raw = JSON.parse(await fsp.readFile(path.join(runsDir, BASELINE_FILE), 'utf8')) as { runId?: unknown };
    return typeof raw.runId === 'string' && isPlainId(raw.runId) ? raw.runId : null;
  } catch {
    return null;
  }
}

export async function clearBaseline(runsDir: string): Promise<void> {
  await fsp.rm(path.join(runsDir, BASELINE_FILE), { force: true });
}

export interface ResolvedBaseline {
  runId: string;
  /** The run folder. */
  path: string;
  summary: RunSummary;
}

/**
 * Find the baseline run for a new run.
 * - undefined: the pinned baseline (setBaseline) if it still exists, else null.
 * - "previous": the newest *completed* run started before `currentRunId` (any completed run when no
 *   current id is given), never the current run itself; null when there is none.
 * - "pinned": the pinned baseline; null when none is pinned.
 * - a run id in runsDir, or a path to a run folder / run.json (relative to `cwd`): that run;
 *   an Error when it does not exist or is unreadable.
 */
export async function resolveBaseline(
  runsDir: string,
  spec: string | undefined,
  currentRunId?: string,
  opts: { cwd?: string } = {},
): Promise<ResolvedBaseline | null> {
  if (spec === undefined || spec === '' || spec === 'pinned') {
    const pinned = await getBaseline(runsDir);
    if (!pinned || pinned === currentRunId) return null;
    const dir = path.join(runsDir, pinned);
    try {
      return { runId: pinned, path: dir, summary: await readRun(dir) };
    } catch {
      return null;
    }
  }
  if (spec === 'previous') {
    const runs = await listRuns(runsDir);
    let currentStart = Infinity;
    if (currentRunId) {
      const cur = runs.find((r) => r.runId === currentRunId);
      currentStart = cur ? Date.parse(cur.startedAt) : Infinity;
    }
    const prev = runs.find(
      (r) =>
        r.status === 'completed' &&
        r.runId !== currentRunId &&
        (currentRunId === undefined || Date.parse(r.startedAt) < currentStart || (Date.parse(r.startedAt) === currentStart && r.runId < currentRunId)),
    );
    return prev ? { runId: prev.runId, path: path.join(runsDir, prev.runId), summary: prev } : null;
  }
  let dir: string;
  try {
    dir = await runDirOf(runsDir, spec, opts.cwd);
  } catch {
    throw new Error(`baseline '${spec}' not found: not a run in ${runsDir} and not a run folder path`);
  }
  const summary = await readRun(dir);
  return { runId: summary.runId, path: dir, summary };
}

/** Delete a run folder (and the baseline pin when it pointed at it). */
export async function deleteRun(runsDir: string, runId: string): Promise<void> {
  if (!isPlainId(runId)) throw new Error(`not a run id: '${runId}'`);
  const dir = path.join(runsDir, runId);
  if (!(await exists(dir))) throw new Error(`run '${runId}' not found in ${runsDir}`);
  await fsp.rm(dir, { recursive: true, force: true });
  if ((await getBaseline(runsDir)) === runId) await clearBaseline(runsDir);
}

/** The reading side as one object, for callers that prefer it. */
export const RunReader = {
  listRuns,
  listRunsDetailed,
  readRun,
  readResults,
  readResultsPage,
  readUnmatched,
  setBaseline,
  getBaseline,
  clearBaseline,
  resolveBaseline,
  deleteRun,
  runDirOf,
};
