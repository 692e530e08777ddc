/**
 * Benchmark: open the report of a 100,000-result run (issue 6: "under a second on this machine").
 *   npm run bench:report -- [--results 100000] [--keep]
 * Generates a run folder (cached in $TMPDIR/reprise-bench-report-<n>), then measures in real Chromium:
 *  1. the VS Code panel path: the host reads run.json and posts the summary, then streams every result as a row
 *     (as src/extension/webviews/report-panel.ts does) over the real HostEndpoint/postMessage channel into the
 *     real report bundle under the real CSP — time to first render (summary + first rows painted) and to all rows;
 *  2. the standalone HTML report (`reprise report --html`): write time, size, and time to first render.
 */
import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { WireMessage } from '../src/shared/ipc.js';
import { HostEndpoint } from '../src/shared/ipc-host.js';
import { reportInit, reportRows } from '../src/shared/protocols/report.js';
import { contentSecurityPolicy } from '../src/extension/webviews/csp.js';
import { readReportInit, readResults, resultRow, writeReportHtml } from '../src/engine/report/index.js';
import type { ResultRow } from '../src/shared/view-types.js';
import { buildBundles, writeHostileRun } from '../test/unit/webview/support.js';

const argv = process.argv.slice(2);
const n = Number(argv[argv.indexOf('--results') + 1] || 0) || 100_000;
const NONCE = 'YmVuY2gtbm9uY2U=';

async function main() {
  const base = path.join(os.tmpdir(), `reprise-bench-report-${n}`);
  const runsDir = path.join(base, 'runs');
  let runDir = existsSync(runsDir) ? (await fs.readdir(runsDir)).map((d) => path.join(runsDir, d)).find((d) => existsSync(path.join(d, 'run.json'))) : undefined;
  if (!runDir) {
    const t = Date.now();
    runDir = await writeHostileRun(runsDir, n, { unmatched: 10 });
    console.log(`generated ${n} results in ${Date.now() - t} ms`);
  }
  const size = (await fs.stat(path.join(runDir, 'results.jsonl'))).size;
  console.log(`run folder ${runDir}: results.jsonl ${(size / 1e6).toFixed(1)} MB`);
  const bundles = path.join(base, 'webview');
  await buildBundles(bundles, ['report']);

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/report.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': contentSecurityPolicy(origin, NONCE) });
      res.end(`<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/report.css"></head><body><div id="app"></div>
<script nonce="${NONCE}">window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState() {}, setState() {} });</script>
<script nonce="${NONCE}" src="/report.js"></script></body></html>`);
      return;
    }
    try {
      const body = await fs.readFile(path.join(bundles, path.basename(u.pathname)));
      res.writeHead(200, { 'content-type': u.pathname.endsWith('.js') ? 'text/javascript' : 'text/css' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });

  for (let round = 1; round <= 3; round++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const host = new HostEndpoint((m: WireMessage) => void page.evaluate((x) => window.postMessage(x, '*'), m as unknown).catch(() => {}));
    await page.exposeFunction('__toHost', (m: unknown) => void host.receive(m));
    const t0 = Date.now();
    await page.goto(`${origin}/report.html`);
    // Host side, as ReportPanel.load(): summary first, then rows in chunks (300, then 5000).
    const tRead = Date.now();
    const init = await readReportInit(runDir, 'vscode');
    const readMs = Date.now() - tRead;
    host.notify(reportInit, init);
    let chunk: ResultRow[] = [];
    let limit = 300;
    let i = 0;
    for await (const r of readResults(runDir)) {
      chunk.push(resultRow(r, i++));
      if (chunk.length >= limit) {
        host.notify(reportRows, { rows: chunk, done: false });
        chunk = [];
        limit = 5000;
      }
    }
    host.notify(reportRows, { rows: chunk, done: true });
    const hostDone = Date.now() - t0;
    type Hooks = { __reprise?: { firstPaintAt?: number; firstRowsAt?: number; allRowsAt?: number } };
    await page.waitForFunction(() => (window as unknown as Hooks).__reprise?.allRowsAt !== undefined, undefined, { timeout: 300_000, polling: 1000 });
    const h = await page.evaluate(() => (window as unknown as Hooks).__reprise!);
    const rendered = await page.evaluate(() => document.querySelectorAll('.rrow').length);
    console.log(
      `panel round ${round}: run.json read ${readMs} ms; after navigation start: summary painted ${h.firstPaintAt!.toFixed(0)} ms, ` +
        `first result rows painted ${h.firstRowsAt!.toFixed(0)} ms, all ${n} rows ${h.allRowsAt!.toFixed(0)} ms ` +
        `(host read+posted them in ${hostDone} ms; the test's postMessage bridge is page.evaluate); ${rendered} row elements in the DOM`,
    );
    await page.close();
  }

  const out = path.join(base, 'report.html');
  const tw = Date.now();
  const { bytes } = await writeReportHtml(runDir, out, { assetsDir: bundles });
  console.log(`html: written in ${Date.now() - tw} ms, ${(bytes / 1e6).toFixed(1)} MB`);
  for (let round = 1; round <= 2; round++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const t0 = Date.now();
    await page.goto(`file://${out}`);
    type Hooks = { __reprise?: { firstPaintAt?: number; allRowsAt?: number } };
    await page.waitForFunction(() => (window as unknown as Hooks).__reprise?.allRowsAt !== undefined, undefined, { timeout: 60_000 });
    const h = await page.evaluate(() => (window as unknown as Hooks).__reprise!);
    console.log(`html round ${round}: summary painted ${h.firstPaintAt!.toFixed(0)} ms after navigation start, all rows ${h.allRowsAt!.toFixed(0)} ms (${Date.now() - t0} ms wall)`);
    await page.close();
  }
  await browser.close();
  server.close();
  if (!argv.includes('--keep')) await fs.rm(path.join(base, 'report.html'), { force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
