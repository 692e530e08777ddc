/**
 * The language features' implementation, loaded on first use (index.ts imports it lazily so that the
 * config schema, the YAML parser and the store readers cost nothing at activation).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfigDiagnostics } from './provider-diagnostics.js';
import { ConfigCompletionProvider } from './provider-completion.js';
import { ConfigHoverProvider } from './provider-hover.js';
import { ConfigCodeActionProvider } from './provider-code-actions.js';
import { ConfigCodeLensProvider } from './provider-codelens.js';
import { TrafficCache } from './traffic-hints.js';

export interface LanguageServices extends vscode.Disposable {
  diagnostics: ConfigDiagnostics;
  completion: ConfigCompletionProvider;
  hover: ConfigHoverProvider;
  codeActions: ConfigCodeActionProvider;
  codeLens: ConfigCodeLensProvider;
  cache: TrafficCache;
  createPath(target: vscode.Uri, kind: 'file' | 'dir'): Promise<void>;
  runReplay(config: vscode.Uri, extensionPath: string): Promise<void>;
}

export function createServices(log: vscode.LogOutputChannel): LanguageServices {
  const cache = new TrafficCache({ hintOptions: { maxPairs: 500 } });
  const diagnostics = new ConfigDiagnostics(log);
  return {
    diagnostics,
    cache,
    completion: new ConfigCompletionProvider(cache, log),
    hover: new ConfigHoverProvider(),
    codeActions: new ConfigCodeActionProvider(diagnostics),
    codeLens: new ConfigCodeLensProvider(cache, log),
    async createPath(target, kind) {
      if (kind === 'dir') await vscode.workspace.fs.createDirectory(target);
      else {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(target.fsPath)));
        await vscode.workspace.fs.writeFile(target, new Uint8Array());
      }
      log.info(`created ${kind === 'dir' ? 'folder' : 'file'} ${target.fsPath}`);
      cache.clear();
      for (const doc of vscode.workspace.textDocuments) {
        if (diagnostics.issuesFor(doc.uri).length) await diagnostics.validate(doc);
      }
    },
    async runReplay(config, extensionPath) {
      // the workspace's own config: the extension's run command owns runs (progress, views, reports)
      const isWorkspaceConfig = (vscode.workspace.workspaceFolders ?? []).some(
        (f) => f.uri.scheme === 'file' && path.join(f.uri.fsPath, 'reprise.yaml') === config.fsPath,
      );
      if (isWorkspaceConfig && (await vscode.commands.getCommands(true)).includes('reprise.runReplay')) {
        await vscode.commands.executeCommand('reprise.runReplay');
        return;
      }
      // any other config file: the CLI in a terminal
      const cli = path.join(extensionPath, 'dist', 'cli.js');
      const term = vscode.window.createTerminal({
        name: 'Reprise run',
        cwd: path.dirname(config.fsPath),
        shellPath: process.execPath,
        shellArgs: [cli, 'run', '--config', config.fsPath],
        env: { ELECTRON_RUN_AS_NODE: '1' },
      });
      term.show();
      log.info(`running reprise run --config ${config.fsPath} in a terminal`);
    },
    dispose() {
      diagnostics.dispose();
      cache.clear();
    },
  };
}
