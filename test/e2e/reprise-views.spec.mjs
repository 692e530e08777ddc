// The Reprise views on the orders example (npm run test:e2e runs with --workspace examples/orders): the
// Traffic view expanded down to a session's requests and switched to endpoints; two replays started from the
// command palette (the example's reprise.yaml starts the service itself), the second with the `total`
// regression; the Runs view expanded to the failed run's gates and failed requests. Screenshots of each.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openActivity, openPane, runCommand } from './ui.mjs';
import { freePort } from '../../scripts/vscode/lib.mjs';

export const title = 'Reprise views: traffic sessions and requests, runs with gates and failed requests';



const rowText = async (row) => (await row.innerText()).replace(/\s+/g, ' ').trim();

export default async function ({ page, screenshot, workspace, assert, log }) {
  const config = path.join(workspace, 'reprise.yaml');
  const saved = await fs.readFile(config, 'utf8');
  await fs.rm(path.join(workspace, '.reprise'), { recursive: true, force: true });
  // Free ports instead of 8080/8081 (may be taken on CI).
  const [svc, mock] = [await freePort(), await freePort()];
  const withPorts = saved.replace('target: http://127.0.0.1:8080', `target: http://127.0.0.1:${svc}`).replace('port: 8081', `port: ${mock}`);
  await fs.writeFile(config, withPorts);
  try {
    await openActivity(page, 'Reprise');
    const traffic = await openPane(page, 'Traffic');
    const runs = await openPane(page, 'Runs');

    // Traffic: source → sessions → requests.
    const source = traffic.locator('.monaco-list-row', { hasText: './traffic/inbound.jsonl' }).first();
    await source.waitFor({ timeout: 30_000 });
    await source.click();
    const alice = traffic.locator('.monaco-list-row', { hasText: 'user-alice' }).first();
    await alice.waitFor({ timeout: 30_000 });
    assert.match(await rowText(alice), /user-alice\s*7 requests/);
    // The source's counts appear once it has been indexed.
    await traffic.locator('.monaco-list-row', { hasText: '43 pairs · 6 sessions' }).first().waitFor({ timeout: 30_000 });
    await alice.click();
    const order = traffic.locator('.monaco-list-row', { hasText: 'POST /orders' }).first();
    await order.waitFor({ timeout: 30_000 });
    assert.match(await rowText(order), /POST \/orders\s*201 · \d+ ms/);
    log(`traffic rows: ${JSON.stringify((await traffic.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')))}`);
    await order.hover();
    await screenshot('traffic-session');

    // Grouped by endpoint.
    await runCommand(page, 'Reprise: Refresh', { exact: true });
    await traffic.locator('.pane-header').hover();
    await traffic.locator('.pane-header .action-label[aria-label="Group by Endpoint"]').click();
    await source.waitFor();
    if ((await source.getAttribute('aria-expanded')) !== 'true') await source.click();
    const ep = traffic.locator('.monaco-list-row', { hasText: 'GET /orders/{id}' }).first();
    await ep.waitFor({ timeout: 30_000 });
    await ep.click();
    await traffic.locator('.monaco-list-row', { hasText: /GET \/orders\/ord_/ }).first().waitFor({ timeout: 30_000 });
    await screenshot('traffic-endpoints');
    await traffic.locator('.pane-header').hover();
    await traffic.locator('.pane-header .action-label[aria-label="Group by Session"]').click();

    // Runs: a passing replay, then one with the `total` regression.
    await runCommand(page, 'Reprise: Run Replay', { exact: true });
    const passRow = runs.locator('.monaco-list-row', { hasText: /^\s*pass · / }).first();
    await passRow.waitFor({ timeout: 90_000 });
    assert.match(await rowText(passRow), /pass · .*100% passed · 43 req/);
    await fs.writeFile(config, withPorts.replace('env: {PORT: "${REPRISE_TARGET_PORT}"}', 'env: {PORT: "${REPRISE_TARGET_PORT}", ORDERS_REGRESSION: total}'));
    await runCommand(page, 'Reprise: Run Replay', { exact: true });
    const failRow = runs.locator('.monaco-list-row', { hasText: /^\s*fail · / }).first();
    await failRow.waitFor({ timeout: 90_000 });
    assert.match(await rowText(failRow), /fail · .*51\.1% passed · 43 req/);
    await failRow.click();
    await runs.locator('.monaco-list-row', { hasText: '✗ body_match_rate' }).first().waitFor({ timeout: 30_000 });
    const failedFolder = runs.locator('.monaco-list-row', { hasText: 'Failed requests' }).first();
    await failedFolder.click();
    const failed = runs.locator('.monaco-list-row', { hasText: /\$\.total/ }).first();
    await failed.waitFor({ timeout: 30_000 });
    log(`runs rows: ${JSON.stringify((await runs.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')))}`);
    await failed.hover();
    await screenshot('runs');

    // The status bar shows the last verdict.
    const status = page.locator('.part.statusbar .statusbar-item', { hasText: /Reprise fail/ }).first();
    await status.waitFor({ timeout: 15_000 });
    await screenshot('status-bar');
  } finally {
    await fs.writeFile(config, saved);
    await fs.rm(path.join(workspace, '.reprise'), { recursive: true, force: true });
  }
}
