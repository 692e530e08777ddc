/** The Traffic view: the `traffic:` sources named in the workspace's reprise.yaml. */
import * as vscode from 'vscode';
import type { TrafficEntry, WorkspaceConfig } from '../workspace-config.js';

export class TrafficItem extends vscode.TreeItem {
  constructor(readonly entry: TrafficEntry) {
    super(entry.path, vscode.TreeItemCollapsibleState.None);
    this.id = `traffic:${entry.absolute}`;
    this.contextValue = `reprise.traffic.${entry.kind}`;
    this.tooltip = entry.absolute;
    if (entry.kind === 'missing') {
      this.description = 'missing';
      this.iconPath = new vscode.ThemeIcon('warning');
    } else {
      this.resourceUri = vscode.Uri.file(entry.absolute);
      // File: the file-icon theme's icon for its type; folder: the codicon (icon themes often have none).
      this.iconPath = entry.kind === 'folder' ? new vscode.ThemeIcon('file-directory') : vscode.ThemeIcon.File;
      if (entry.kind === 'file') {
        this.command = { command: 'vscode.open', title: 'Open', arguments: [this.resourceUri] };
      }
    }
  }
}

export class TrafficTreeProvider implements vscode.TreeDataProvider<TrafficItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TrafficItem | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly getConfig: () => Promise<WorkspaceConfig | undefined>) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(item: TrafficItem): vscode.TreeItem {
    return item;
  }

  async getChildren(parent?: TrafficItem): Promise<TrafficItem[]> {
    if (parent) return [];
    const config = await this.getConfig();
    return (config?.traffic ?? []).map((e) => new TrafficItem(e));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
