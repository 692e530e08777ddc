/** vscode adapter: completion items from completion.ts (traffic hints fetched only where they are used). */
import * as vscode from 'vscode';
import { completeAt, completionContext, wantsResponseHints, type CompletionEntry, type CompletionHints } from './completion.js';
import { lensPlan } from './lenses.js';
import type { TrafficCache } from './traffic-hints.js';

const KINDS: Record<CompletionEntry['kind'], vscode.CompletionItemKind> = {
  property: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  enum: vscode.CompletionItemKind.EnumMember,
  snippet: vscode.CompletionItemKind.Snippet,
  field: vscode.CompletionItemKind.Field,
  constant: vscode.CompletionItemKind.Constant,
};

export const COMPLETION_TRIGGERS = [' ', ':', '-', '.', '$', '"', "'", '['];

export class ConfigCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly cache: TrafficCache, private readonly log: vscode.LogOutputChannel) {}

  async provideCompletionItems(
    doc: vscode.TextDocument,
    pos: vscode.Position,
    token: vscode.CancellationToken,
    context: vscode.CompletionContext,
  ): Promise<vscode.CompletionItem[] | undefined> {
    const text = doc.getText();
    const offset = doc.offsetAt(pos);
    if (context.triggerCharacter === ' ') {
      // a space only matters right after `key:` or `-`
      const before = doc.lineAt(pos.line).text.slice(0, pos.character);
      if (!/(:|^\s*-)\s$/.test(before)) return undefined;
    }
    const ctx = completionContext(text, offset);
    if (!ctx) return undefined;
    const hints: CompletionHints = {};
    if (wantsResponseHints(ctx) && doc.uri.scheme === 'file') {
      const sources = lensPlan(text, doc.uri.fsPath).traffic?.sources ?? [];
      if (sources.length) {
        try {
          hints.response = await this.cache.responseHints(sources);
        } catch (e) {
          this.log.warn(`reading recorded responses for completion failed: ${(e as Error).message}`);
        }
      }
    }
    if (token.isCancellationRequested) return undefined;
    return completeAt(text, offset, hints, ctx).items.map((e) => toItem(doc, pos, e));
  }
}

function toItem(doc: vscode.TextDocument, pos: vscode.Position, e: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(e.label, KINDS[e.kind]);
  if (e.detail) item.detail = e.detail;
  if (e.documentation) item.documentation = new vscode.MarkdownString(e.documentation);
  item.insertText = e.snippet ? new vscode.SnippetString(e.insertText) : e.insertText;
  const start = doc.positionAt(e.start);
  const end = doc.positionAt(e.end);
  if (start.line === pos.line && end.line === pos.line && start.isBeforeOrEqual(pos) && end.isAfterOrEqual(pos)) {
    item.range = { inserting: new vscode.Range(start, pos), replacing: new vscode.Range(start, end) };
  }
  if (e.sortText) item.sortText = e.sortText;
  if (e.filterText) item.filterText = e.filterText;
  if (e.keepWhitespace) item.keepWhitespace = true;
  return item;
}
