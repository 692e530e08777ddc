// The webview panels clicked through in a real VS Code on the orders example (npm run test:e2e runs with
// --workspace examples/orders; the example's reprise.yaml starts the service itself):
//  1. a replay with the `total` regression fails; "Reprise: Open Run Report" shows it (verdict, gates, requests);
//  2. clicking a failed POST /orders opens its response diff; "Ignore this path" on $.total writes reprise.yaml,
//     "Replay this request again" replays it and it passes;
//  3. with one recorded payment-api charge removed, a replay records an unmatched mock call; "Reprise: Open
//     Unmatched Mock Calls" shows it; "Promote to stub" opens the draft in monaco; "Save stubs", then
//     "Rerun to check": the call matches.
// Screenshots of each step in test-results/e2e-webviews-*.png.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openActivity, openPane, runCommand } from './ui.mjs';
import { freePort } from '../../scripts/vscode/lib.mjs';

export const title = 'Webviews: report, diff (ignore path → replay passes), unmatched call (promote → rerun matches)';



/** Picks the quick-pick row containing `text` (e.g. a run's "FAIL · …" description). */
async function pick(page, text) {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

/** The webview frame (iframe.webview → iframe#active-frame) whose document has `selector`. */
async function webview(page, selector, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      try {
        if ((await f.locator(selector).count()) > 0) return f;
      } catch {
        /* frame navigating */
      }
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function runIds(workspace) {
  return fs.readdir(path.join(workspace, '.reprise', 'runs')).catch(() => []);
}

/** Waits for a run not in `before` whose run.json says completed; returns its id. */
async function newCompletedRun(workspace, before) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    for (const id of await runIds(workspace)) {
      if (before.has(id)) continue;
      const summary = await fs.readFile(path.join(workspace, '.reprise', 'runs', id, 'run.json'), 'utf8').then(JSON.parse, () => undefined);
      if (summary && summary.status !== 'running') return id;
    }
    if (Date.now() > deadline) throw new Error('the replay did not finish within 90 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

export default async function ({ page, screenshot, workspace, assert, log }) {
  const config = path.join(workspace, 'reprise.yaml');
  const outbound = path.join(workspace, 'traffic', 'payment-api', 'outbound.jsonl');
  const saved = await fs.readFile(config, 'utf8');
  const savedOutbound = await fs.readFile(outbound, 'utf8');
  await fs.rm(path.join(workspace, '.reprise'), { recursive: true, force: true });
  const [svc, mock] = [await freePort(), await freePort()];
  const withPorts = saved.replace('target: http://127.0.0.1:8080', `target: http://127.0.0.1:${svc}`).replace('port: 8081', `port: ${mock}`);
  const regression = withPorts.replace('env: {PORT: "${REPRISE_TARGET_PORT}"}', 'env: {PORT: "${REPRISE_TARGET_PORT}", ORDERS_REGRESSION: total}');
  assert.notEqual(regression, withPorts, 'the example starts the service with an env map');
  await fs.writeFile(config, regression);
  try {
    await openActivity(page, 'Reprise');
    const runs = await openPane(page, 'Runs');

    // 1. A failing run and its report.
    await runCommand(page, 'Reprise: Run Replay', { exact: true, waitClosed: false, focusClick: false });
    await runs.locator('.monaco-list-row', { hasText: /^\s*fail · / }).first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Reprise: Open Run Report', { exact: true, waitClosed: false, focusClick: false });
    await pick(page, 'FAIL');
    const report = await webview(page, '#verdict');
    await report.locator('#verdict[data-verdict="fail"]').waitFor({ timeout: 30_000 });
    await report.locator('#gates tr[data-gate="body_match_rate"][data-pass="false"]').waitFor();
    await report.locator('.rrow[data-outcome="fail"]').first().waitFor({ timeout: 30_000 });
    await report.locator('#request-count', { hasText: /^\d+ shown$/ }).waitFor({ timeout: 30_000 });
    log(`report: ${(await report.locator('#verdict').innerText()).replace(/\s+/g, ' ')}`);
    await screenshot('report');
    // Sort endpoints by pass rate, filter requests to POST /orders.
    await report.locator('#endpoints th[data-sort="passRate"]').click();
    await report.locator('#request-filter').fill('POST /orders');
    await report.locator('.rrow[data-outcome="fail"]').first().waitFor();
    await report.locator('#requests').scrollIntoViewIfNeeded();
    await screenshot('report-filtered');

    // 2. The diff of a failed POST /orders: ignore $.total, replay, it passes.
    await report.locator('.rrow[data-outcome="fail"]').first().click();
    const diff = await webview(page, '#fields');
    await diff.locator('.d2h-files-diff').first().waitFor({ timeout: 30_000 });
    assert.ok((await diff.locator('tr.reprise-ignored').count()) > 0, 'ignored lines are greyed');
    await screenshot('diff-side-by-side');
    await diff.locator('button[data-format="line-by-line"]').click();
    await diff.locator('.d2h-file-diff').first().waitFor();
    await screenshot('diff-line-by-line');
    await diff.locator('#fields tr[data-path="$.total"] vscode-button', { hasText: 'Ignore this path' }).click();
    await diff.locator('#status', { hasText: 'Added $.total to validate.ignore' }).waitFor({ timeout: 30_000 });
    assert.match(await fs.readFile(config, 'utf8'), /- \$\.total/);
    await diff.locator('#rerun').click();
    await diff.locator('#status', { hasText: /Replayed in run .*: PASS/ }).waitFor({ timeout: 90_000 });
    log(`diff: ${await diff.locator('#status').innerText()}`);
    await screenshot('diff-replayed-pass');

    // 3. An unmatched mock call: promote it, rerun, it matches.
    await fs.writeFile(config, withPorts);
    const lines = savedOutbound.split('\n').filter(Boolean);
    await fs.writeFile(outbound, lines.filter((l) => JSON.parse(l).id !== 'out-0010').join('\n') + '\n');
    const before = new Set(await runIds(workspace));
    await runCommand(page, 'Reprise: Run Replay', { exact: true, waitClosed: false, focusClick: false });
    const runId = await newCompletedRun(workspace, before);
    await runs.locator('.monaco-list-row', { hasText: /^\s*fail · / }).nth(1).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000); // let the end-of-run notifications settle before opening a quick pick
    await runCommand(page, 'Reprise: Open Unmatched Mock Calls', { exact: true, waitClosed: false, focusClick: false });
    await pick(page, runId);
    const unmatched = await webview(page, 'section.call');
    const call = unmatched.locator('section.call', { hasText: 'POST /v1/charges' }).first();
    await call.waitFor({ timeout: 30_000 });
    await screenshot('unmatched');
    await call.locator('vscode-button', { hasText: 'Promote to stub' }).click();
    await unmatched.locator('.monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
    await unmatched.locator('#editor-status', { hasText: /Draft of 1 stub/ }).waitFor({ timeout: 30_000 });
    await screenshot('unmatched-draft');
    await unmatched.locator('#save').click();
    await unmatched.locator('#editor-status', { hasText: /Saved 1 stub file/ }).waitFor({ timeout: 30_000 });
    await unmatched.locator('#rerun').click();
    await unmatched.locator('#rerun-status', { hasText: /promoted call\(s\) now match a stub/ }).waitFor({ timeout: 90_000 });
    log(`unmatched: ${await unmatched.locator('#rerun-status').innerText()}`);
    await screenshot('unmatched-rerun-matches');
  } finally {
    await fs.writeFile(config, saved);
    await fs.writeFile(outbound, savedOutbound);
    await fs.rm(path.join(workspace, '.reprise'), { recursive: true, force: true });
  }
}
