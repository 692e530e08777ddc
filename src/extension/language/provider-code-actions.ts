/**
 * vscode adapter: quick fixes for the diagnostics ConfigDiagnostics set. The issue behind each diagnostic
 * (with its suggestion) is looked up by code and start position.
 */
import * as vscode from 'vscode';
import { quickFixes } from './quick-fixes.js';
import { DIAGNOSTIC_SOURCE, type ConfigDiagnostics } from './provider-diagnostics.js';

export const CREATE_PATH_COMMAND = 'reprise.language.createPath';

export class ConfigCodeActionProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly diagnostics: ConfigDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const issues = this.diagnostics.issuesFor(doc.uri);
    const out: vscode.CodeAction[] = [];
    const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path;
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      const issue = issues.find(
        (i) => i.code === d.code && i.line - 1 === d.range.start.line && Math.max(0, i.column - 1) === d.range.start.character,
      );
      if (!issue) continue;
      for (const fix of quickFixes(doc.getText(), file, issue)) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = fix.preferred;
        if (fix.edits) {
          const edit = new vscode.WorkspaceEdit();
          for (const e of fix.edits) {
            edit.replace(doc.uri, new vscode.Range(e.start.line, e.start.character, e.end.line, e.end.character), e.newText);
          }
          action.edit = edit;
        }
        if (fix.create) {
          action.command = { title: fix.title, command: CREATE_PATH_COMMAND, arguments: [vscode.Uri.file(fix.create.path), fix.create.kind, doc.uri] };
        }
        out.push(action);
      }
    }
    return out;
  }
}
