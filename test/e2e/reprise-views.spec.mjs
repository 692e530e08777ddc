import { openActivity, openPane } from './ui.mjs';

export const title = 'Reprise activity bar container shows the Traffic and Runs views';

export default async function ({ page, screenshot, assert, log }) {
  await openActivity(page, 'Reprise');
  const traffic = await openPane(page, 'Traffic');
  const runs = await openPane(page, 'Runs');

  // The Traffic view lists the fixture's three traffic entries; the missing one is marked.
  const rows = traffic.locator('.monaco-list-row');
  await rows.filter({ hasText: 'traffic/orders.har' }).first().waitFor({ timeout: 30_000 });
  const labels = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  log(`traffic rows: ${JSON.stringify(labels)}`);
  assert.equal(labels.length, 3);
  assert.ok(labels[0].startsWith('traffic/orders.har'));
  assert.ok(labels[1].startsWith('traffic/recorded'));
  assert.match(labels[2], /traffic\/not-there\.jsonl.*missing/);

  // The Runs view has no runs yet: its welcome text shows.
  await runs.getByText('No runs yet').waitFor({ timeout: 15_000 });
  await screenshot('views');
}
