/**
 * The extension's entry point: wiring only. Creates the "Reprise" log, the Traffic and Runs views, and the
 * commands; keeps the views in step with reprise.yaml and the runs folder.
 */
import * as vscode from 'vscode';
import { createLogChannel } from './log.js';
import { CONFIG_FILE, findConfigFile, readWorkspaceConfig, type WorkspaceConfig } from './workspace-config.js';
import { TrafficTreeProvider } from './views/traffic-tree.js';
import { RunsTreeProvider } from './views/runs-tree.js';
import { EngineHost } from './engine-host.js';
import { registerWebviews } from './webviews/index.js';
import { registerCommands, type CommandServices } from './commands/index.js';
import { registerLanguageFeatures } from './language/index.js';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface RepriseApi {
  readonly log: vscode.LogOutputChannel;
  readonly traffic: TrafficTreeProvider;
  readonly runs: RunsTreeProvider;
  /** The lazily loaded engine, and the replay runner, debug flow, test controller, … (see commands/). */
  readonly host: EngineHost;
  readonly services: CommandServices;
  /** Milliseconds from entering activate() to returning from it. */
  readonly activationMs: number;
  /** Milliseconds the extension bundle took to evaluate (its imports) before activate() was entered. */
  readonly loadMs: number;
  /** The workspace config as the views see it (re-read after reprise.yaml changes). */
  config(): Promise<WorkspaceConfig | undefined>;
  /** Re-read reprise.yaml and refresh both views. */
  refresh(): void;
}

/** Caches the light read of reprise.yaml; invalidated by the file watchers. */
class ConfigState {
  private cached: Promise<WorkspaceConfig | undefined> | undefined;
  constructor(private readonly log: vscode.LogOutputChannel) {}

  get(): Promise<WorkspaceConfig | undefined> {
    this.cached ??= this.load();
    return this.cached;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<WorkspaceConfig | undefined> {
    try {
      const file = await findConfigFile();
      await vscode.commands.executeCommand('setContext', 'reprise.hasConfig', !!file);
      if (!file) return undefined;
      const config = await readWorkspaceConfig(file);
      if (config.error) this.log.warn(config.error);
      return config;
    } catch (e) {
      this.log.error(`reading ${CONFIG_FILE} failed: ${(e as Error).message}`);
      return undefined;
    }
  }
}

export function activate(context: vscode.ExtensionContext): RepriseApi {
  const started = performance.now();
  const log = createLogChannel();
  const state = new ConfigState(log);
  const getConfig = () => state.get();
  const host = new EngineHost(context.extensionPath, log);
  const traffic = new TrafficTreeProvider(getConfig, host);
  const runs = new RunsTreeProvider(getConfig, host);

  const refresh = () => {
    state.invalidate();
    traffic.refresh();
    runs.refresh();
  };

  const configWatcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`);
  const runsWatcher = vscode.workspace.createFileSystemWatcher('**/.reprise/runs/*');
  configWatcher.onDidCreate(refresh);
  configWatcher.onDidChange(refresh);
  configWatcher.onDidDelete(refresh);
  runsWatcher.onDidCreate(() => runs.refresh());
  runsWatcher.onDidDelete(() => runs.refresh());

  let activationMs = 0;
  context.subscriptions.push(
    log,
    traffic,
    runs,
    configWatcher,
    runsWatcher,
    vscode.window.createTreeView('reprise.traffic', { treeDataProvider: traffic, showCollapseAll: true }),
    vscode.window.createTreeView('reprise.runs', { treeDataProvider: runs, showCollapseAll: true }),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    vscode.commands.registerCommand('reprise.showLog', () => log.show(true)),
    vscode.commands.registerCommand('reprise.refresh', refresh),
    vscode.commands.registerCommand('reprise.activationTime', () => activationMs),
  );

  const services = registerCommands(context, { host, log, traffic, runs, getConfig });
  registerWebviews(context, { host, log, getConfig, replay: (o) => services.runner.run(o) });
  registerLanguageFeatures(context, log);

  // Sets the reprise.hasConfig context key early, so the welcome content is right on first paint.
  void state.get();

  activationMs = performance.now() - started;
  const loadStart = (globalThis as { __repriseLoadStart?: number }).__repriseLoadStart;
  const loadMs = loadStart !== undefined ? started - loadStart : 0;
  log.info(`Reprise activated in ${activationMs.toFixed(1)} ms, bundle evaluated in ${loadMs.toFixed(1)} ms (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
  return { log, traffic, runs, host, services, activationMs, loadMs, config: getConfig, refresh };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
