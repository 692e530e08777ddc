/**
 * JUnit XML for CI. Layout:
 *
 *   <testsuites name="reprise <run-id>" tests failures errors skipped time timestamp>
 *     <testsuite name="quality gates">   one testcase per gate (a failing gate is a <failure>)
 *     <testsuite name="GET /orders/{id}"> one suite per endpoint, one testcase per request:
 *       <testcase classname="GET /orders/{id}" name="GET /orders/1 [session#seq]" time="0.012">
 *         <failure message="…" type="mismatch">diff summary + actual status/headers (redacted)</failure>
 *         <error message="ECONNREFUSED: …" type="ECONNREFUSED"/>   (no response)
 *         <skipped/>                                               (not sent)
 *
 * Output is produced as a sequence of string chunks, never one big string. `junitXml` works on results in
 * memory; `writeJunitFile` streams results.jsonl from disk in bounded memory (see there).
 * Text is XML-escaped; characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/F) are shown
 * as `\uXXXX`. Secret headers are masked, secret query parameters too.
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { once } from 'node:events';
import type { RequestResult } from '../replay/types.js';
import type { GateResult, RunSummary } from './types.js';
import { redactHeaders, redactJsonText, redactUrl } from '../redact.js';
import { describeDiff, failingDiffs, failureMessage } from './describe.js';
import { jsonLines } from './lines.js';

export interface JunitOptions {
  /** Extra header names to mask. */
  redactHeaders?: string[];
  /** JSONPaths masked in response bodies. */
  redactJsonPaths?: string[];
  /** Characters of the actual body shown in a failure (default 1000). */
  bodyChars?: number;
  /** Failing diffs listed per failure (default 20). */
  maxDiffs?: number;
}

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Escape text content. */
export function xmlText(s: string): string {
  return s
    .replace(INVALID, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Escape an attribute value (double-quoted); newlines and tabs survive as character references. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function secs(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

export interface SuiteCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeMs: number;
}

function emptyCounts(): SuiteCounts {
  return { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
}

function count(c: SuiteCounts, r: RequestResult): void {
  c.tests++;
  if (r.outcome === 'fail') c.failures++;
  else if (r.outcome === 'error') c.errors++;
  else if (r.outcome === 'skipped') c.skipped++;
  c.timeMs += r.latencyMs ?? 0;
}

function suiteOpen(name: string, c: SuiteCounts, timestamp?: string): string {
  const ts = timestamp ? ` timestamp="${xmlAttr(timestamp)}"` : '';
  return `  <testsuite name="${xmlAttr(name)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" time="${secs(c.timeMs)}"${ts}>\n`;
}

/** One <testcase> element for a request. */
export function testcaseXml(r: RequestResult, opts: JunitOptions = {}): string {
  const name = `${r.method} ${redactUrl(r.url)} [${r.session}#${r.seq}]`;
  const head = `    <testcase classname="${xmlAttr(r.endpoint)}" name="${xmlAttr(name)}" time="${secs(r.latencyMs)}"`;
  if (r.outcome === 'pass') return `${head}/>\n`;
  if (r.outcome === 'skipped') return `${head}>\n      <skipped/>\n    </testcase>\n`;
  if (r.outcome === 'error') {
    const code = r.error?.code ?? 'error';
    return `${head}>\n      <error message="${xmlAttr(failureMessage(r))}" type="${xmlAttr(code)}"/>\n    </testcase>\n`;
  }
  const lines: string[] = [];
  if (r.expectedStatus !== undefined && r.actualStatus !== r.expectedStatus) {
    lines.push(`status: expected ${r.expectedStatus}, got ${r.actualStatus ?? '-'}`);
  }
  const diffs = failingDiffs(r).filter((d) => d.kind !== 'status');
  const maxDiffs = opts.maxDiffs ?? 20;
  for (const d of diffs.slice(0, maxDiffs)) lines.push(describeDiff(d, 200));
  if (diffs.length > maxDiffs) lines.push(`… ${diffs.length - maxDiffs} more`);
  if (r.actual) {
    lines.push('', `actual response: ${r.actual.status}`);
    const h = redactHeaders(r.actual.headers, opts.redactHeaders);
    for (const [k, v] of Object.entries(h)) {
      for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
    }
    if (r.actual.body !== undefined && r.actual.bodyEncoding !== 'base64') {
      const max = opts.bodyChars ?? 1000;
      const body = redactJsonText(r.actual.body, opts.redactJsonPaths ?? []) ?? '';
      lines.push('', body.length > max ? `${body.slice(0, max)}… (${body.length} chars)` : body);
    } else if (r.actual.body !== undefined) {
      lines.push('', `(binary body, ${r.actual.body.length} base64 chars)`);
    }
  }
  return (
    `${head}>\n      <failure message="${xmlAttr(failureMessage(r))}" type="mismatch">${xmlText(lines.join('\n'))}</failure>\n` +
    `    </testcase>\n`
  );
}

function gateSuite(gates: GateResult[]): string {
  const c = emptyCounts();
  let body = '';
  for (const g of gates) {
    c.tests++;
    const name = `${g.name} ${g.expression}`;
    const head = `    <testcase classname="quality gates" name="${xmlAttr(name)}" time="0"`;
    if (g.pass) {
      body += `${head}/>\n`;
      continue;
    }
    c.failures++;
    const parts = [`measured ${g.measured ?? 'n/a'}`];
    if (g.baseline !== undefined) parts.push(`baseline ${g.baseline ?? 'n/a'}`);
    if (g.note) parts.push(g.note);
    body += `${head}>\n      <failure message="${xmlAttr(parts.join('; '))}" type="gate"/>\n    </testcase>\n`;
  }
  return `${suiteOpen('quality gates', c)}${body}  </testsuite>\n`;
}

function rootOpen(summary: RunSummary, total: SuiteCounts): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${xmlAttr(`reprise ${summary.runId}`)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}" time="${secs(summary.metrics.duration_ms)}" timestamp="${xmlAttr(summary.startedAt)}">\n`
  );
}

function totals(summary: RunSummary, perEndpoint: Iterable<SuiteCounts>): SuiteCounts {
  const t = emptyCounts();
  for (const c of perEndpoint) {
    t.tests += c.tests;
    t.failures += c.failures;
    t.errors += c.errors;
    t.skipped += c.skipped;
  }
  t.tests += summary.gates.length;
  t.failures += summary.gates.filter((g) => !g.pass).length;
  return t;
}

/**
 * JUnit XML for results held in memory, as string chunks (join them, or write them one by one).
 * Results are grouped by endpoint in first-seen order.
 */
export function* junitXml(summary: RunSummary, results: Iterable<RequestResult>, opts: JunitOptions = {}): Generator<string> {
  const groups = new Map<string, { counts: SuiteCounts; items: RequestResult[] }>();
  for (const r of results) {
    let g = groups.get(r.endpoint);
    if (!g) groups.set(r.endpoint, (g = { counts: emptyCounts(), items: [] }));
    count(g.counts, r);
    g.items.push(r);
  }
  yield rootOpen(summary, totals(summary, [...groups.values()].map((g) => g.counts)));
  if (summary.gates.length) yield gateSuite(summary.gates);
  for (const [endpoint, g] of groups) {
    yield suiteOpen(endpoint, g.counts);
    for (const r of g.items) yield testcaseXml(r, opts);
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

/** The whole document as one string (small runs, tests). */
export function junitXmlString(summary: RunSummary, results: Iterable<RequestResult>, opts?: JunitOptions): string {
  return [...junitXml(summary, results, opts)].join('');
}

export interface WriteJunitOptions extends JunitOptions {
  /** Bytes of testcase XML buffered per pass for suites after the first of a pass (default 16 MiB). */
  bufferBytes?: number;
}

/**
 * Write junit.xml for a results.jsonl file without holding the results in memory. A first pass counts
 * tests per endpoint; then each pass over the file streams one endpoint's testcases straight to the
 * output and buffers the testcases of following endpoints up to `bufferBytes` — so a typical run takes
 * two passes and memory stays bounded however many results there are. Unparseable lines (a torn last
 * line of a killed run) are skipped. Written to a temp file and renamed into place.
 */
export async function writeJunitFile(outFile: string, summary: RunSummary, resultsFile: string, opts: WriteJunitOptions = {}): Promise<void> {
  const budget = opts.bufferBytes ?? 16 * 1024 * 1024;
  const groups = new Map<string, { counts: SuiteCounts; bytes: number }>();
  for await (const { value, text } of jsonLines<RequestResult>(resultsFile)) {
    if (!value || typeof value.endpoint !== 'string') continue;
    let g = groups.get(value.endpoint);
    if (!g) groups.set(value.endpoint, (g = { counts: emptyCounts(), bytes: 0 }));
    count(g.counts, value);
    g.bytes += value.outcome === 'pass' ? 200 : Math.min(text.length, 4000) + 200;
  }

  const tmp = `${outFile}.tmp-${process.pid}`;
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  let failed: Error | undefined;
  out.on('error', (e) => (failed = e));
  const write = async (chunk: string) => {
    if (failed) throw failed;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await write(rootOpen(summary, totals(summary, [...groups.values()].map((g) => g.counts))));
    if (summary.gates.length) await write(gateSuite(summary.gates));
    const order = [...groups.keys()];
    let i = 0;
    while (i < order.length) {
      const streamed = order[i++];
      const buffered = new Map<string, string[]>();
      let used = 0;
      while (i < order.length && used + groups.get(order[i])!.bytes <= budget) {
        used += groups.get(order[i])!.bytes;
        buffered.set(order[i++], []);
      }
      await write(suiteOpen(streamed, groups.get(streamed)!.counts));
      for await (const { value } of jsonLines<RequestResult>(resultsFile)) {
        if (!value || typeof value.endpoint !== 'string') continue;
        if (value.endpoint === streamed) await write(testcaseXml(value, opts));
        else buffered.get(value.endpoint)?.push(testcaseXml(value, opts));
      }
      await write('  </testsuite>\n');
      for (const [endpoint, cases] of buffered) {
        await write(suiteOpen(endpoint, groups.get(endpoint)!.counts));
        for (const c of cases) await write(c);
        await write('  </testsuite>\n');
        buffered.set(endpoint, []);
      }
    }
    await write('</testsuites>\n');
    out.end();
    await once(out, 'finish');
    if (failed) throw failed;
    await fsp.rename(tmp, outFile);
  } catch (e) {
    out.destroy();
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}
