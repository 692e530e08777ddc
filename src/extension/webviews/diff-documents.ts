/** Read-only documents (scheme `reprise-diff`) holding expected/actual text for VS Code's diff editor. */
import * as vscode from 'vscode';

export const DIFF_SCHEME = 'reprise-diff';

export class DiffDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  /** Two documents (recorded, replayed) for one diff. Older entries beyond 50 are dropped. */
  pair(name: string, expected: string, actual: string): [vscode.Uri, vscode.Uri] {
    const n = ++this.seq;
    const safe = name.replace(/[^\w.-]+/g, '_').slice(0, 80);
    const left = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${n}/${safe}.recorded.http` });
    const right = vscode.Uri.from({ scheme: DIFF_SCHEME, path: `/${n}/${safe}.replayed.http` });
    this.texts.set(left.path, expected);
    this.texts.set(right.path, actual);
    while (this.texts.size > 100) this.texts.delete(this.texts.keys().next().value as string);
    return [left, right];
  }
}
