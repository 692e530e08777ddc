/**
 * Diagnostics on reprise.yaml as you type (debounced): the engine's configDiagnostics — the same issues,
 * messages and codes `reprise validate-config` prints — as vscode Diagnostics with precise ranges. Keeps
 * the last issues per document for the quick fixes.
 */
import * as vscode from 'vscode';
import { configDiagnostics } from '../../engine/config/diagnostics.js';
import type { ConfigIssue } from '../../engine/config/types.js';
import { issueRange } from './quick-fixes.js';
import { LineIndex } from './yaml-context.js';

export const DIAGNOSTIC_SOURCE = 'reprise';

export class ConfigDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('reprise');
  private readonly issues = new Map<string, ConfigIssue[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly generation = new Map<string, number>();

  constructor(private readonly log: vscode.LogOutputChannel, private readonly delayMs = 200) {}

  /** Validate after `delayMs` without further changes (0: now). */
  schedule(doc: vscode.TextDocument, delayMs = this.delayMs): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.validate(doc);
      }, delayMs),
    );
  }

  async validate(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    const gen = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, gen);
    const text = doc.getText();
    const version = doc.version;
    try {
      const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path;
      const { issues } = await configDiagnostics(text, file, { fs: doc.uri.scheme === 'file' ? undefined : false });
      if (this.generation.get(key) !== gen || doc.isClosed || doc.version !== version) return; // stale
      this.issues.set(key, issues);
      const idx = new LineIndex(text);
      this.collection.set(doc.uri, issues.map((i) => toDiagnostic(idx, i)));
    } catch (e) {
      this.log.error(`checking ${doc.uri.fsPath} failed: ${(e as Error).stack ?? e}`);
    }
  }

  issuesFor(uri: vscode.Uri): ConfigIssue[] {
    return this.issues.get(uri.toString()) ?? [];
  }

  forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.issues.delete(key);
    this.generation.delete(key);
    this.collection.delete(doc.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.collection.dispose();
  }
}

export function toDiagnostic(idx: LineIndex, i: ConfigIssue): vscode.Diagnostic {
  const r = issueRange(idx, i);
  const range = r
    ? new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character)
    : new vscode.Range(0, 0, 0, 0);
  const d = new vscode.Diagnostic(range, i.message, i.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = i.code;
  return d;
}
