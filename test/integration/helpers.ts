/** Helpers shared by the integration tests (bundled into each test file). */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RepriseApi } from '../../src/extension/extension.js';

export const EXTENSION_ID = 'reprise.reprise';

/** Activates the extension under test and returns the API activate() returned. */
export async function activateReprise(): Promise<RepriseApi> {
  const ext = vscode.extensions.getExtension<RepriseApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this extension host`);
  const api = await ext.activate();
  assert.ok(api, 'activate() returned no API');
  return api;
}

/** The first workspace folder's path (the runner opens a scratch copy of the fixture workspace). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri.fsPath;
}

export function label(item: vscode.TreeItem): string {
  const l = item.label;
  return typeof l === 'string' ? l : l?.label ?? '';
}
