/**
 * The Traffic view: the `traffic:` sources named in reprise.yaml → sessions (or endpoints) → requests.
 * Children are loaded when a node is expanded (the engine is loaded then, not at activation); requests are
 * paged. Counts are in the descriptions.
 */
import * as vscode from 'vscode';
import type { EndpointStat, PairSummary, SessionStat, StoreIndex } from '../../engine/store/index.js';
import type { EngineHost } from '../engine-host.js';
import type { TrafficEntry, WorkspaceConfig } from '../workspace-config.js';
import { pairUri } from './pair-document.js';

export type TrafficGrouping = 'session' | 'endpoint';
export const PAGE_SIZE = 200;

export class SourceItem extends vscode.TreeItem {
  readonly kind = 'source' as const;
  index: StoreIndex | undefined;
  constructor(readonly entry: TrafficEntry) {
    super(entry.path, entry.kind === 'missing' ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `traffic:${entry.absolute}`;
    this.contextValue = `reprise.source.${entry.kind}`;
    this.tooltip = entry.absolute;
    if (entry.kind === 'missing') {
      this.description = 'missing';
      this.iconPath = new vscode.ThemeIcon('warning');
    } else {
      this.resourceUri = vscode.Uri.file(entry.absolute);
      this.iconPath = entry.kind === 'folder' ? new vscode.ThemeIcon('file-directory') : new vscode.ThemeIcon('file');
    }
  }
}

export class GroupItem extends vscode.TreeItem {
  readonly kind = 'group' as const;
  constructor(
    readonly source: SourceItem,
    readonly grouping: TrafficGrouping,
    /** Session name or endpoint key. */
    readonly key: string,
    readonly count: number,
    extra?: string,
  ) {
    super(key, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `traffic:${source.entry.absolute}:${grouping}:${key}`;
    this.contextValue = grouping === 'session' ? 'reprise.session' : 'reprise.endpoint';
    this.description = `${count} request${count === 1 ? '' : 's'}${extra ? ` · ${extra}` : ''}`;
    this.iconPath = new vscode.ThemeIcon(grouping === 'session' ? 'account' : 'symbol-interface');
  }
}

export class RequestItem extends vscode.TreeItem {
  readonly kind = 'request' as const;
  constructor(
    readonly group: GroupItem,
    readonly pair: PairSummary,
  ) {
    super(`${pair.method} ${pathOf(pair.url)}`, vscode.TreeItemCollapsibleState.None);
    this.id = `traffic:${group.id}:${pair.id}`;
    this.contextValue = pair.direction === 'in' ? 'reprise.request.in' : 'reprise.request.out';
    const parts = [pair.status !== undefined ? String(pair.status) : 'no response'];
    if (pair.duration !== undefined) parts.push(`${Math.round(pair.duration)} ms`);
    if (pair.direction === 'out') parts.push(`→ ${pair.service ?? 'outbound'}`);
    if (group.grouping === 'endpoint') parts.push(pair.session);
    this.description = parts.join(' · ');
    this.tooltip = `${pair.method} ${pair.url}\n${pair.file}${pair.line ? `:${pair.line}` : ''}\nsession ${pair.session} #${pair.seq}\npair ${pair.id}`;
    this.iconPath = statusIcon(pair.status);
    this.command = { command: 'reprise.openPair', title: 'Open Pair', arguments: [this] };
  }
}

export class MoreItem extends vscode.TreeItem {
  readonly kind = 'more' as const;
  constructor(
    readonly group: GroupItem,
    readonly offset: number,
    left: number,
  ) {
    super(`${left} more…`, vscode.TreeItemCollapsibleState.None);
    this.id = `traffic:${group.id}:more:${offset}`;
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.command = { command: 'reprise.traffic.loadMore', title: 'Load More', arguments: [this] };
  }
}

export type TrafficNode = SourceItem | GroupItem | RequestItem | MoreItem;

function pathOf(url: string): string {
  if (url.startsWith('/')) return url;
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

function statusIcon(status: number | undefined): vscode.ThemeIcon {
  if (status === undefined) return new vscode.ThemeIcon('circle-outline');
  if (status >= 500) return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  if (status >= 400) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  return new vscode.ThemeIcon('arrow-swap');
}

function describeSource(source: SourceItem, index: StoreIndex): void {
  source.index = index;
  const parts = [`${index.total} pair${index.total === 1 ? '' : 's'}`, `${index.sessions.length} session${index.sessions.length === 1 ? '' : 's'}`];
  if (index.outbound) parts.push(`${index.outbound} outbound`);
  if (index.issues.length) parts.push(`${index.issues.length} issue${index.issues.length === 1 ? '' : 's'}`);
  source.description = parts.join(' · ');
}

function statusSummary(e: EndpointStat): string {
  return Object.entries(e.statusCounts)
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
}

export class TrafficTreeProvider implements vscode.TreeDataProvider<TrafficNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TrafficNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groupingValue: TrafficGrouping = 'session';
  /** Requests shown under a group so far (paging), by group id. */
  private readonly pages = new Map<string, { items: PairSummary[]; total: number }>();
  private readonly parents = new WeakMap<TrafficNode, TrafficNode>();
  /** Indexes of the sources read so far (until the next refresh), by absolute path. */
  private readonly indexes = new Map<string, StoreIndex>();
  private readonly indexing = new Map<string, Promise<StoreIndex>>();
  /** The group items of each source and grouping, kept so a refresh of the source returns the same
   * elements (and VS Code keeps their expansion). */
  private readonly groups = new Map<string, GroupItem[]>();

  constructor(
    private readonly getConfig: () => Promise<WorkspaceConfig | undefined>,
    private readonly host: EngineHost,
  ) {}

  get grouping(): TrafficGrouping {
    return this.groupingValue;
  }

  setGrouping(g: TrafficGrouping): void {
    if (g === this.groupingValue) return;
    this.groupingValue = g;
    void vscode.commands.executeCommand('setContext', 'reprise.trafficGrouping', g);
    this.refresh();
  }

  refresh(): void {
    this.pages.clear();
    this.indexes.clear();
    this.indexing.clear();
    this.groups.clear();
    this.changed.fire(undefined);
  }

  /** Shows the next page of a group's requests. */
  loadMore(more: MoreItem): void {
    void this.loadPage(more.group, more.offset).then(() => this.changed.fire(more.group));
  }

  getTreeItem(item: TrafficNode): vscode.TreeItem {
    return item;
  }

  getParent(item: TrafficNode): TrafficNode | undefined {
    return this.parents.get(item);
  }

  async getChildren(parent?: TrafficNode): Promise<TrafficNode[]> {
    const kids = await this.children(parent);
    if (parent) for (const k of kids) this.parents.set(k, parent);
    return kids;
  }

  private async children(parent?: TrafficNode): Promise<TrafficNode[]> {
    if (!parent) {
      const config = await this.getConfig();
      return (config?.traffic ?? []).map((e) => {
        const item = new SourceItem(e);
        const known = this.indexes.get(e.absolute);
        if (known) describeSource(item, known);
        else if (e.kind !== 'missing') void this.indexOf(item).catch(() => {});
        return item;
      });
    }
    if (parent.kind === 'source') {
      if (parent.entry.kind === 'missing') return [];
      const index = await this.indexOf(parent);
      const key = `${parent.entry.absolute}\n${this.groupingValue}`;
      let groups = this.groups.get(key);
      if (!groups) {
        groups =
          this.groupingValue === 'session'
            ? index.sessions.map((s: SessionStat) => new GroupItem(parent, 'session', s.session, s.count))
            : index.endpoints.map((e) => new GroupItem(parent, 'endpoint', e.endpoint, e.count, statusSummary(e)));
        this.groups.set(key, groups);
      }
      return groups;
    }
    if (parent.kind === 'group') {
      let page = this.pages.get(parent.id!);
      if (!page) page = await this.loadPage(parent, 0);
      const kids: TrafficNode[] = page.items.map((p) => new RequestItem(parent, p));
      if (page.items.length < page.total) kids.push(new MoreItem(parent, page.items.length, page.total - page.items.length));
      return kids;
    }
    return [];
  }

  /**
   * The index of a source: started when the source is first listed (in the background, so its counts show
   * without expanding it) and shared with its expansion. The source is refreshed once when it completes.
   */
  private indexOf(source: SourceItem): Promise<StoreIndex> {
    const abs = source.entry.absolute;
    let p = this.indexing.get(abs);
    if (!p) {
      p = this.host.engine().store.indexSources([abs]);
      this.indexing.set(abs, p);
      p.then(
        (index) => {
          if (this.indexing.get(abs) !== p) return; // refreshed meanwhile
          this.indexes.set(abs, index);
          describeSource(source, index);
          this.changed.fire(source);
        },
        () => this.indexing.delete(abs),
      );
    }
    return p.then((index) => {
      describeSource(source, index);
      return index;
    });
  }

  private async loadPage(group: GroupItem, offset: number): Promise<{ items: PairSummary[]; total: number }> {
    const filter = group.grouping === 'session' ? { session: group.key } : { endpoint: group.key };
    const res = await this.host.engine().store.listPairs([group.source.entry.absolute], { ...filter, offset, limit: PAGE_SIZE });
    const prev = this.pages.get(group.id!);
    const page = { items: offset > 0 && prev ? [...prev.items.slice(0, offset), ...res.items] : res.items, total: res.total };
    this.pages.set(group.id!, page);
    return page;
  }

  /** Every pair id under a node (sources and groups are read in full; requests are themselves). */
  async pairIds(node: TrafficNode, inboundOnly = true): Promise<string[]> {
    const store = this.host.engine().store;
    if (node.kind === 'request') return [node.pair.id];
    if (node.kind === 'more') return [];
    const src = node.kind === 'source' ? node.entry.absolute : node.source.entry.absolute;
    const filter = node.kind === 'group' ? (node.grouping === 'session' ? { session: node.key } : { endpoint: node.key }) : {};
    const res = await store.listPairs([src], { ...filter, limit: Number.MAX_SAFE_INTEGER, ...(inboundOnly ? { direction: 'in' as const } : {}) });
    return res.items.map((p) => p.id);
  }

  /** The URI of a read-only document showing a request's pair. */
  pairUri(item: RequestItem): vscode.Uri {
    return pairUri(item.group.source.entry.absolute, item.pair);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
