// Small helpers for driving the VS Code workbench in e2e specs.

/** Opens a view container from the activity bar by its title (e.g. "Reprise"). */
export async function openActivity(page, title) {
  const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title}"]`).first();
  await item.waitFor({ timeout: 30_000 });
  const li = item.locator('xpath=..');
  if ((await li.getAttribute('aria-selected')) !== 'true' && !(await li.evaluate((e) => e.classList.contains('checked')))) {
    await item.click();
  }
  await page.locator(`.part.sidebar .composite.title h2[title^="${title}"], .part.sidebar .title-label h2`).first().waitFor();
}

/** The pane (view) in the side bar whose header reads `name`; expanded if collapsed. */
export async function openPane(page, name) {
  const header = page.locator('.part.sidebar .pane-header', { has: page.locator('h3.title', { hasText: new RegExp(`^${name}$`, 'i') }) }).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return header.locator('xpath=..'); // .pane = header + body
}

/** Runs a command through the command palette (F1), by its palette label. */
export async function runCommand(page, label) {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => {});
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: 15_000 });
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}
