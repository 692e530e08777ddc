import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openActivity, openPane, runCommand } from './ui.mjs';

export const title = 'Without reprise.yaml the Reprise views switch to their welcome content, and back';

export default async function ({ page, screenshot, workspace }) {
  const config = path.join(workspace, 'reprise.yaml');
  const saved = await fs.readFile(config, 'utf8');
  await openActivity(page, 'Reprise');
  const traffic = await openPane(page, 'Traffic');
  const runs = await openPane(page, 'Runs');
  const ordersRow = traffic.locator('.monaco-list-row', { hasText: 'traffic/orders.har' });
  // With reprise.yaml: entries listed (the extension is active and has set reprise.hasConfig).
  await ordersRow.waitFor({ timeout: 30_000 });
  await runs.getByText('No runs yet').waitFor();

  await fs.rm(config);
  try {
    await runCommand(page, 'Reprise: Refresh');
    await traffic.getByText('No reprise.yaml in this workspace.').waitFor({ timeout: 30_000 });
    await traffic.getByRole('button', { name: 'Refresh' }).waitFor();
    await runs.getByText('Runs appear here once the workspace has a reprise.yaml.').waitFor();
    await screenshot('no-config');
  } finally {
    await fs.writeFile(config, saved);
  }
  await runCommand(page, 'Reprise: Refresh');
  await ordersRow.waitFor({ timeout: 30_000 });
}
