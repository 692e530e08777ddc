import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openActivity, openPane, runCommand } from './ui.mjs';

export const title = 'Without reprise.yaml the Reprise views show their welcome content; Create reprise.yaml scaffolds one';

export default async function ({ page, screenshot, workspace, assert }) {
  const config = path.join(workspace, 'reprise.yaml');
  const saved = await fs.readFile(config, 'utf8');
  await fs.rm(path.join(workspace, '.reprise'), { recursive: true, force: true });
  await openActivity(page, 'Reprise');
  const traffic = await openPane(page, 'Traffic');
  const runs = await openPane(page, 'Runs');
  const ordersRow = traffic.locator('.monaco-list-row', { hasText: './traffic/inbound.jsonl' });
  // With reprise.yaml: entries listed (the extension is active and has set reprise.hasConfig).
  await ordersRow.waitFor({ timeout: 30_000 });
  await runs.getByText('No runs yet').waitFor();

  await fs.rm(config);
  try {
    await runCommand(page, 'Reprise: Refresh');
    await traffic.getByText('No reprise.yaml in this workspace.').waitFor({ timeout: 30_000 });
    await traffic.getByRole('button', { name: 'Create reprise.yaml' }).waitFor();
    await traffic.getByRole('button', { name: 'Import Traffic' }).waitFor();
    await runs.getByText('Runs appear here once the workspace has a reprise.yaml.').waitFor();
    await screenshot('no-config');
    // The welcome button scaffolds reprise.yaml from the one inbound traffic file it finds, and opens it.
    await traffic.getByRole('button', { name: 'Create reprise.yaml' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'reprise.yaml' }).first().waitFor({ timeout: 30_000 });
    const created = await fs.readFile(config, 'utf8');
    assert.match(created, /^traffic: \[\.\/traffic\/inbound\.jsonl\]$/m);
    assert.match(created, /- service: payment-api/);
    await ordersRow.waitFor({ timeout: 30_000 });
    await screenshot('scaffolded');
  } finally {
    await fs.writeFile(config, saved);
  }
  await runCommand(page, 'Reprise: Refresh');
  await ordersRow.waitFor({ timeout: 30_000 });
}
