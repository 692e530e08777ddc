/** The Runs view: run folders under the runs folder (default .reprise/runs), newest first. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceConfig } from '../workspace-config.js';

export interface RunFolder {
  id: string;
  dir: string;
  modified: Date;
}

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunFolder) {
    super(run.id, vscode.TreeItemCollapsibleState.None);
    this.id = `run:${run.dir}`;
    this.contextValue = 'reprise.run';
    this.description = run.modified.toLocaleString();
    this.tooltip = run.dir;
    this.resourceUri = vscode.Uri.file(run.dir);
    this.iconPath = new vscode.ThemeIcon('history');
  }
}

export async function listRunFolders(runsDir: string): Promise<RunFolder[]> {
  let names: string[];
  try {
    names = (await fs.readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const runs = await Promise.all(
    names.map(async (id) => {
      const dir = path.join(runsDir, id);
      const st = await fs.stat(dir);
      return { id, dir, modified: st.mtime };
    }),
  );
  // Run ids start with a timestamp, so name order is time order; mtime breaks ties.
  return runs.sort((a, b) => b.id.localeCompare(a.id) || b.modified.getTime() - a.modified.getTime());
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly getConfig: () => Promise<WorkspaceConfig | undefined>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: RunItem): Promise<RunItem[]> {
    if (parent) return [];
    const config = await this.getConfig();
    if (!config) return [];
    return (await listRunFolders(config.runsDir)).map((r) => new RunItem(r));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
