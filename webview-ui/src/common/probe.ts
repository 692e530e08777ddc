/** Answers the host's probe with what the page shows (visible text, a few element counts). */
import type { WebviewClient } from '../../../src/shared/ipc.js';
import { probe, probeReply } from '../../../src/shared/protocols/common.js';

const SELECTORS = ['.rrow', '#gates tbody tr', '#endpoints tbody tr', '.d2h-file-diff, .d2h-files-diff', 'tr.reprise-ignored', '#fields tbody tr', 'section.call', '.monaco-editor', 'script'];

export function answerProbes(client: WebviewClient, renderedAt: () => number | undefined): void {
  client.onNotification(probe, ({ id }) => {
    const counts: Record<string, number> = {};
    for (const s of SELECTORS) counts[s] = document.querySelectorAll(s).length;
    client.command(probeReply, { id, text: (document.body.innerText ?? '').slice(0, 20_000), counts, renderedAt: renderedAt(), timeOrigin: performance.timeOrigin });
  });
}
