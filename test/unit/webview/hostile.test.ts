/**
 * Hostile captured content in real Chromium (Debian's, through playwright-core): the standalone HTML report,
 * the diff screen and the unmatched-calls screen are loaded with bodies, headers and URLs holding <script>,
 * <img onerror>, <svg onload>, javascript: URLs and a 20 MB body. Nothing may execute, no element may come
 * from captured text, secrets stay masked, and the page must keep answering.
 *
 * The diff and unmatched screens run exactly as in VS Code: the same bundles, the same CSP (from
 * src/extension/webviews/csp.ts) sent by a loopback HTTP server, and the real HostEndpoint answering the
 * webview's requests over postMessage.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildBundles, writeHostileRun, hostileCall, hostileResult, HOSTILE, hostileBody } from './support.js';
import { writeReportHtml } from '../../../src/engine/report/html.js';
import { buildResponseDiff } from '../../../src/engine/report/diff.js';
import { contentSecurityPolicy } from '../../../src/extension/webviews/csp.js';
import { type WireMessage } from '../../../src/shared/ipc.js';
import { HostEndpoint } from '../../../src/shared/ipc-host.js';
import { diffInit, diffMore } from '../../../src/shared/protocols/diff.js';
import { unmatchedInit, draftStubs } from '../../../src/shared/protocols/unmatched.js';
import { stubJsonSchema } from '../../../src/engine/mocks/stub.js';
import type { DiffView, UnmatchedCallView } from '../../../src/shared/view-types.js';

const CHROMIUM = process.env.REPRISE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';
/** Generous: the machine is shared; this is about "not hung", not speed. */
const RESPONSIVE_MS = 15_000;

let tmp: string;
let server: http.Server;
let origin: string;
let browser: Browser | undefined;
const haveChromium = existsSync(CHROMIUM);
/** Screenshots for people to look at (not compared). */
const shots = path.resolve(__dirname, '../../../test-results');
const shot = async (page: Page, name: string) => {
  await fs.mkdir(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `webview-hostile-${name}.png`), fullPage: false });
};

/** The page shell the extension builds (panel.ts), for a screen; the stub of acquireVsCodeApi forwards to the test. */
function shell(screen: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/${screen}.css"><title>${screen}</title></head>
<body><div id="app"></div>
<script nonce="${NONCE}">
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState: () => undefined, setState: () => {} });
</script>
<script nonce="${NONCE}" src="/${screen}.js"></script>
</body></html>`;
}

before(async () => {
  if (!haveChromium) return;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-hostile-'));
  await buildBundles(path.join(tmp, 'webview'));
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const csp = contentSecurityPolicy(origin, NONCE, { workers: url.pathname.startsWith('/unmatched') });
    const m = /^\/(report|diff|unmatched)\.html$/.exec(url.pathname);
    if (m) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      res.end(shell(m[1]));
      return;
    }
    const file = path.join(tmp, 'webview', path.basename(url.pathname));
    try {
      const body = await fs.readFile(file);
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** A page that records every dialog; `pwned` collects anything hostile content managed to do. */
async function openPage(): Promise<{ page: Page; dialogs: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1300, height: 900 } });
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, dialogs };
}

/** Wire a real HostEndpoint to the page (webview → host through an exposed binding, host → webview by postMessage). */
async function hostFor(page: Page): Promise<HostEndpoint> {
  const host = new HostEndpoint((m: WireMessage) => void page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown).catch(() => {}));
  await page.exposeFunction('__toHost', (m: unknown) => void host.receive(m));
  return host;
}

async function assertNothingRan(page: Page, dialogs: string[], ownScripts: number): Promise<void> {
  const state = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    scripts: document.querySelectorAll('script').length,
    imgs: document.querySelectorAll('img, iframe, object, embed').length,
    svgOnload: document.querySelectorAll('svg[onload], [onerror], [onload], [onclick]').length,
    jsLinks: Array.from(document.querySelectorAll('a[href]')).filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? '')).length,
  }));
  assert.equal(state.pwned, undefined, 'no hostile code ran');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.equal(state.scripts, ownScripts, 'no <script> element came from content');
  assert.equal(state.imgs, 0, 'no <img>/<iframe> came from content');
  assert.equal(state.svgOnload, 0, 'no event-handler attributes');
  assert.equal(state.jsLinks, 0, 'no javascript: links');
}

async function responsive(page: Page): Promise<number> {
  const t = Date.now();
  const v = await Promise.race([page.evaluate(() => 1), new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`page did not answer within ${RESPONSIVE_MS} ms`)), RESPONSIVE_MS))]);
  assert.equal(v, 1);
  return Date.now() - t;
}

describe('hostile content in real Chromium', { skip: haveChromium ? false : `${CHROMIUM} absent: install Debian's chromium (apt-get install -y chromium) to run the browser tests` }, () => {
  test('standalone HTML report: captured text shows as text, nothing runs', async () => {
    const runDir = await writeHostileRun(path.join(tmp, 'runs'), 60);
    const file = path.join(tmp, 'report.html');
    await writeReportHtml(runDir, file, { assetsDir: path.join(tmp, 'webview') });
    const { page, dialogs } = await openPage();
    await page.goto(`file://${file}`);
    await page.locator('#verdict[data-verdict="fail"]').waitFor({ timeout: 20_000 });
    await page.locator('.rrow').first().waitFor();
    // The failed rows show the hostile URL as text.
    const firstUrl = await page.locator('.rrow').first().locator('span').nth(2).textContent();
    assert.ok(firstUrl?.includes(HOSTILE.script), `URL shown verbatim: ${firstUrl}`);
    await page.locator('.rrow').first().click();
    await page.locator('#request-details table').waitFor();
    const details = await page.locator('#request-details').innerText();
    assert.ok(details.includes(HOSTILE.img) && details.includes(HOSTILE.close));
    // All requests, filtered by text: still text.
    await page.selectOption('#outcome-filter', 'all');
    await page.fill('#request-filter', 'javascript:');
    assert.match((await page.locator('#request-count').textContent()) ?? '', /^60 shown/);
    await assertNothingRan(page, dialogs, 3);
    await shot(page, 'report');
    await page.close();
  });

  test('diff screen: hostile bodies and headers render as escaped text in diff2html; secrets masked', async () => {
    const { page, dialogs } = await openPage();
    const host = await hostFor(page);
    const r = hostileResult(1);
    const expected = { status: 201, headers: { 'content-type': 'application/json', 'x-evil': HOSTILE.svg, authorization: 'Bearer recorded-secret' }, body: hostileBody(0) };
    const view: DiffView = buildResponseDiff(
      expected,
      r.actual,
      { runId: 'r', pairId: r.pairId, method: r.method, url: r.url, endpoint: r.endpoint, outcome: 'fail', actions: true },
      { headers: ['content-type', 'x-evil', 'authorization'], fieldDiffs: r.validation!.diffs, ignore: ['$.svg'] },
    );
    await page.goto(`${origin}/diff.html`);
    host.notify(diffInit, view);
    await page.locator('.d2h-wrapper').waitFor({ timeout: 20_000 });
    const text = await page.locator('#diff').innerText();
    assert.ok(text.includes('window.__pwned'), 'the hostile strings are visible as text');
    assert.ok(text.includes('Bearer ***'), 'authorization masked in the diff');
    assert.ok(!text.includes('recorded-secret') && !text.includes('secret-token-123'));
    const page2text = await page.locator('main').innerText();
    assert.ok(!page2text.includes('secret-token-123'), 'masked in the header tables too');
    assert.ok((await page.locator('tr.reprise-ignored').count()) > 0, 'ignored path greyed');
    await page.locator('button[data-format="line-by-line"]').click();
    await page.locator('.d2h-file-diff').waitFor();
    assert.ok((await page.locator('tr.reprise-ignored').count()) > 0, 'greyed in line-by-line too');
    await assertNothingRan(page, dialogs, 2);
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(violations, [], 'the screen itself needs nothing the CSP forbids');
    await shot(page, 'diff');
    await page.close();
  });

  test('diff screen: a 20 MB body renders cut to the line limit with "Show more", and the page stays responsive', async () => {
    const { page, dialogs } = await openPage();
    const host = await hostFor(page);
    const items = Array.from({ length: 80_000 }, (_, i) => ({ i, note: `${HOSTILE.script}${'x'.repeat(200)}` }));
    const expectedBody = JSON.stringify({ items, total: 1 });
    const actualBody = JSON.stringify({ items, total: 2 });
    assert.ok(Buffer.byteLength(actualBody) > 20 * 1024 * 1024, `body is ${Buffer.byteLength(actualBody)} bytes`);
    const meta = { runId: 'r', pairId: 'big', method: 'GET', url: '/big', endpoint: 'GET /big', outcome: 'fail' as const, actions: true };
    const diff = (lineLimit?: number) =>
      buildResponseDiff({ status: 200, body: expectedBody }, { status: 200, body: actualBody }, meta, {
        lineLimit,
        fieldDiffs: [{ path: '$.total', kind: 'changed', expected: 1, actual: 2 }],
      });
    let asked = 0;
    host.onRequest(diffMore, ({ lineLimit }) => {
      asked = lineLimit;
      return diff(lineLimit);
    });
    await page.goto(`${origin}/diff.html`);
    const t0 = Date.now();
    host.notify(diffInit, diff());
    await page.locator('#truncated').waitFor({ timeout: 60_000 });
    const firstRender = Date.now() - t0;
    const note = (await page.locator('#truncated').innerText()) ?? '';
    assert.match(note, /Showing the first 3000 lines of \d+\.\s*Show more/);
    assert.ok(Number(/of (\d+)/.exec(note)![1]) > 300_000, note);
    const ms = await responsive(page);
    await page.locator('#show-more').click();
    await page.waitForFunction(() => (window as unknown as { __repriseDiff?: { view?: { lineLimit: number } } }).__repriseDiff?.view?.lineLimit === 12000, undefined, { timeout: 60_000 });
    assert.equal(asked, 12000);
    await shot(page, 'diff-20mb');
    await responsive(page);
    await assertNothingRan(page, dialogs, 2);
    console.log(`# 20 MB body: first render ${firstRender} ms (engine diff + Chromium), evaluate round trip ${ms} ms`);
    await page.close();
  });

  test('unmatched screen: hostile calls as text; the monaco draft editor runs under the CSP with its JSON worker', async () => {
    const { page, dialogs } = await openPage();
    const host = await hostFor(page);
    const call = hostileCall(0);
    const view: UnmatchedCallView = {
      id: call.id,
      service: call.service,
      at: call.at,
      method: call.request.method,
      url: call.request.url,
      headers: { ...call.request.headers, authorization: 'Bearer ***' },
      body: call.request.body,
      answeredWith: call.answeredWith,
      nearest: call.nearest,
    };
    host.onRequest(draftStubs, ({ callIds }) => ({
      text: JSON.stringify({ id: 'draft', request: { method: 'POST', path: '/v1/charges', body: { equalToJson: { note: HOSTILE.script } } }, response: { status: 201, body: HOSTILE.img } }, null, 2),
      schema: stubJsonSchema(),
      notes: [`drafted ${callIds.length} from ${HOSTILE.svg}`],
    }));
    await page.goto(`${origin}/unmatched.html`);
    host.notify(unmatchedInit, { runId: 'r', calls: [view, { ...view, id: 'call-1' }], total: 2, actions: true });
    await page.locator('section.call').first().waitFor({ timeout: 20_000 });
    const text = await page.locator('main').innerText();
    assert.ok(text.includes(HOSTILE.iframe) && text.includes(HOSTILE.script));
    assert.ok(!text.includes('sk_live_secret'));
    // Promote two at once.
    await page.locator('input[type="checkbox"][data-call="call-0"]').check();
    await page.locator('input[type="checkbox"][data-call="call-1"]').check();
    await page.locator('#promote-selected').click();
    await page.locator('.monaco-editor').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#draft-notes').innerText(), /drafted 2 from <svg/);
    // The JSON worker validates against the stub schema: a bad status is flagged.
    await page.evaluate(() => (window as unknown as { __repriseUnmatched: { editor: { setText(t: string): void } } }).__repriseUnmatched.editor.setText('{"request": {}, "response": {"status": "two hundred"}}'));
    await page.waitForFunction(() => (window as unknown as { __repriseUnmatched: { editor: { problems(): string[] } } }).__repriseUnmatched.editor.problems().length > 0, undefined, { timeout: 30_000 });
    const problems = await page.evaluate(() => (window as unknown as { __repriseUnmatched: { editor: { problems(): string[] } } }).__repriseUnmatched.editor.problems());
    assert.ok(problems.some((p) => /number|type/i.test(p)), problems.join('\n'));
    await responsive(page);
    await assertNothingRan(page, dialogs, 2);
    const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(violations, [], 'monaco needs nothing the CSP forbids');
    await shot(page, 'unmatched');
    await page.close();
  });
});
