import { runCommand } from './ui.mjs';

export const title = 'Reprise: Show Log from the command palette opens the Reprise output';

export default async function ({ page, screenshot, log }) {
  // Activation is lazy (inferred from contributions); running the command activates the extension.
  await runCommand(page, 'Reprise: Show Log');
  // The output is a Monaco editor: spaces render as U+00A0, which \s matches.
  const line = page.locator('.part.panel .view-line').filter({ hasText: /Reprise\s+activated\s+in\s+[\d.]+\s+ms/ }).first();
  await line.waitFor({ timeout: 30_000 });
  log((await line.innerText()).replace(/\s+/g, ' ').trim());
  await screenshot('log');
}
