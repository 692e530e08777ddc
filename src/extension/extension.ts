/**
 * The extension's entry point: wiring only. Creates the "Reprise" log, the Traffic and Runs views, and the
 * commands; keeps the views in step with reprise.yaml and the runs folder.
 */
import * as vscode from 'vscode';
import { createLogChannel } from './log.js';
import { CONFIG_FILE, findConfigFile, readWorkspaceConfig, type WorkspaceConfig } from './workspace-config.js';
import { TrafficTreeProvider } from './views/traffic-tree.js';
import { RunsTreeProvider } from './views/runs-tree.js';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface RepriseApi {
  readonly log: vscode.LogOutputChannel;
  readonly traffic: TrafficTreeProvider;
  readonly runs: RunsTreeProvider;
  /** Milliseconds from entering activate() to returning from it. */
  readonly activationMs: number;
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
  const traffic = new TrafficTreeProvider(getConfig);
  const runs = new RunsTreeProvider(getConfig);

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
    vscode.window.registerTreeDataProvider('reprise.traffic', traffic),
    vscode.window.registerTreeDataProvider('reprise.runs', runs),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    vscode.commands.registerCommand('reprise.showLog', () => log.show(true)),
    vscode.commands.registerCommand('reprise.refresh', refresh),
    vscode.commands.registerCommand('reprise.activationTime', () => activationMs),
  );

  // Sets the reprise.hasConfig context key early, so the welcome content is right on first paint.
  void state.get();

  activationMs = performance.now() - started;
  log.info(`Reprise activated in ${activationMs.toFixed(1)} ms (${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`);
  return { log, traffic, runs, activationMs, config: getConfig, refresh };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
