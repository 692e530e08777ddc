/**
 * Expected vs actual of one replayed request, as text: shown by the Testing API's diff (TestMessage.diff),
 * by VS Code's diff editor when the report webview is not available, and after "stop at first mismatch".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RequestResult } from '../../shared/results.js';
import type { Pair } from '../../engine/store/model.js';
import type { EngineHost } from '../engine-host.js';
import { bodyForDisplay, type RepriseDocuments } from '../views/pair-document.js';

export interface ExpectedActual {
  expected: string;
  actual: string;
  /** One line: `$.total: expected 10, got 12`. */
  message: string;
}

function responseText(status: number | undefined, headers: Record<string, string | string[]> | undefined, body: string | undefined, enc: 'utf8' | 'base64' | undefined, redact: (h: Record<string, string | string[]>) => Record<string, string | string[]>): string {
  const lines = [status === undefined ? '(no response)' : `HTTP ${status}`];
  const h = redact(headers ?? {});
  for (const k of Object.keys(h).sort()) for (const v of [h[k]].flat()) lines.push(`${k}: ${v}`);
  const b = bodyForDisplay(body, enc);
  if (b) lines.push('', b);
  return lines.join('\n') + '\n';
}

/** Expected (recorded) and actual (live) response of a result as comparable text. */
export function expectedActual(host: EngineHost, pair: Pair | undefined, r: RequestResult): ExpectedActual {
  const report = host.engine().report;
  const redact = (h: Record<string, string | string[]>) => report.redactHeaders(h);
  // Only headers that were compared or differ are shown, so the diff is about what the validator saw.
  const shown = new Set((r.validation?.diffs ?? []).filter((d) => d.path.startsWith('header.')).map((d) => d.path.slice(7)));
  shown.add('content-type');
  const pick = (h: Record<string, string | string[]> | undefined) => Object.fromEntries(Object.entries(h ?? {}).filter(([k]) => shown.has(k.toLowerCase())));
  const expected = pair?.response
    ? responseText(pair.response.status, pick(pair.response.headers), pair.response.body, pair.response.bodyEncoding, redact)
    : `(no recorded response for pair ${r.pairId})\n`;
  const actual = r.actual
    ? responseText(r.actual.status, pick(r.actual.headers), r.actual.body, r.actual.bodyEncoding, redact)
    : `(no response: ${r.error ? `${r.error.code}: ${r.error.message}` : 'not sent'})\n`;
  return { expected, actual, message: report.failureMessage(r) };
}

/** Opens VS Code's diff editor on expected/actual of a failed result (read-only documents). */
export async function openNativeDiff(host: EngineHost, docs: RepriseDocuments, traffic: string[], r: RequestResult): Promise<void> {
  const pair = await host.engine().store.getPair(traffic, r.pairId);
  const ea = expectedActual(host, pair, r);
  const base = `${r.method} ${r.url.split('?')[0]}`;
  const left = docs.textUri(`${base} (recorded).http`, ea.expected);
  const right = docs.textUri(`${base} (replayed).http`, ea.actual);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${base}: recorded ↔ replayed — ${ea.message}`, { preview: true });
}

/**
 * Opens the diff of a failed result: the report engineer's `reprise.openDiff` webview when it is registered,
 * otherwise VS Code's diff editor.
 */
export async function openResultDiff(host: EngineHost, docs: RepriseDocuments, runDir: string, traffic: string[], r: RequestResult): Promise<void> {
  const all = await vscode.commands.getCommands(true);
  if (all.includes('reprise.openDiff')) {
    try {
      await vscode.commands.executeCommand('reprise.openDiff', { runDir, runId: path.basename(runDir), pairId: r.pairId, seq: r.seq });
      return;
    } catch {
      /* fall back to the native diff */
    }
  }
  await openNativeDiff(host, docs, traffic, r);
}
