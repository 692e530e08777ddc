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

/**
 * Runs a command through the command palette (F1), by its palette label. Right after the workbench loads, an
 * extension's contributed commands can be missing from the palette for a few seconds (its view container is
 * already there): the palette is reopened until the command is listed.
 */
export async function runCommand(page, label, { timeout = 30_000, exact = false, waitClosed = true, focusClick = true } = {}) {
  const deadline = Date.now() + timeout;
  const input = page.locator('.quick-input-widget input').first();
  const rows = page.locator('.quick-input-list .monaco-list-row');
  // exact: the row whose label is exactly `label` (others may share its prefix, e.g. "Run Replay Against …").
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const row = (exact ? rows.filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escaped}$`) }) }) : rows.filter({ hasText: label })).first();
  for (;;) {
    // Focus the workbench first; with a webview open, a click could land on its buttons, so Escape instead.
    if (focusClick) await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => {});
    else await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 15_000 });
    await input.fill(`>${label}`);
    try {
      await row.waitFor({ timeout: Math.max(1000, Math.min(5000, deadline - Date.now())) });
      break;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
  if (exact) await row.click();
  else await input.press('Enter');
  // A command that opens a quick pick of its own keeps the widget open: the caller waits for that instead.
  if (waitClosed) await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}
