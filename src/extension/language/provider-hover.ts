/** vscode adapter: hover docs from hover.ts. */
import * as vscode from 'vscode';
import { hoverAt } from './hover.js';

export class ConfigHoverProvider implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const h = hoverAt(doc.getText(), doc.offsetAt(pos));
    if (!h) return undefined;
    const md = new vscode.MarkdownString(h.markdown);
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
  }
}
