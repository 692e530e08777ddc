/**
 * The extension's entry point: wiring only. Creates the "Reprise" log, the Traffic and Runs views, and the
 * commands; keeps the views in step with reprise.yaml and the runs folder.
 *
 * This is dist/extension.js, evaluated on every activation (and activation happens whenever a YAML file
 * opens), so it stays small: the engine, the language features' implementation and the webview panels are
 * bundles of their own loaded on first use (see lazy-bundle.ts); nothing here imports zod.
 */
import * as vscode from 'vscode';
import { createLogChannel } from './log.js';
import { CONFIG_FILE, findConfigFile, readWorkspaceConfig, type WorkspaceConfig, type YamlParse } from './workspace-config.js';
import { TrafficTreeProvider } from './views/traffic-tree.js';
import { RunsTreeProvider } from './views/runs-tree.js';
import { EngineHost } from './engine-host.js';
import { registerWebviews } from './webviews/index.js';
import { registerCommands, type CommandServices } from './commands/index.js';
import { registerLanguageFeatures } from './language/index.js';
import { LazyBundle, type BundleState } from './lazy-bundle.js';
import type * as YamlBundle from './yaml-parse.js';

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
  /** Milliseconds the extension bundle took to evaluate (its imports), stamped at its first and last line. */
  readonly loadMs: number;
  /**
   * Milliseconds from the end of the bundle's evaluation to entering activate(): the host's own work (it
   * prepares the extension context meanwhile) and whatever else its event loop was busy with. Not ours.
   */
  readonly hostWaitMs: number;
  /** The bundles loaded on first use (dist/engine.js, dist/language.js, dist/webviews.js): activation loads none. */
  readonly bundles: { readonly engine: BundleState; readonly language: BundleState; readonly webviews: BundleState };
  /** The workspace config as the views see it (re-read after reprise.yaml changes). */
  config(): Promise<WorkspaceConfig | undefined>;
  /** Re-read reprise.yaml and refresh both views. */
  refresh(): void;
}

/** Caches the light read of reprise.yaml; invalidated by the file watchers. */
class ConfigState {
  private cached: Promise<WorkspaceConfig | undefined> | undefined;
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly parseYaml: YamlParse,
  ) {}

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
      const config = await readWorkspaceConfig(file, this.parseYaml);
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
  const yaml = new LazyBundle<typeof YamlBundle>(context.extensionPath, 'yaml.js');
  const state = new ConfigState(log, (text) => yaml.get().parse(text));
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
  const webviews = registerWebviews(context, { host, log, getConfig, replay: (o) => services.runner.run(o) });
  const language = registerLanguageFeatures(context, log);
  const bundles = { engine: host, language: language.bundle, webviews: webviews.bundle };

  // Sets the reprise.hasConfig context key early, so the welcome content is right on first paint.
  void state.get();

  activationMs = performance.now() - started;
  // stamped by the bundle's banner and footer (scripts/build.mjs); absent when not run from the bundle
  const { __repriseLoadStart: loadStart, __repriseLoadEnd: loadEnd } = globalThis as { __repriseLoadStart?: number; __repriseLoadEnd?: number };
  const loadMs = loadStart !== undefined ? (loadEnd ?? started) - loadStart : 0;
  const hostWaitMs = loadEnd !== undefined ? started - loadEnd : 0;
  log.info(
    `Reprise activated in ${activationMs.toFixed(1)} ms, bundle evaluated in ${loadMs.toFixed(1)} ms ` +
      `(the host called activate() ${hostWaitMs.toFixed(1)} ms after that; ${vscode.env.appName} ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`,
  );
  return { log, traffic, runs, host, services, activationMs, loadMs, hostWaitMs, bundles, config: getConfig, refresh };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
