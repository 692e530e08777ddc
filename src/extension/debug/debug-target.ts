/**
 * Replaying against a service running under the debugger.
 *
 * "Run Replay Against Debug Target": with a debug session running, the replay goes to the configured target
 * (the debugged service). Without one, Reprise starts the mocks first, then the launch configuration named in
 * reprise.yaml (`sut.launch` / `debug.launch`) or in the `reprise.debug.launchConfiguration` setting, with the
 * mocks' URLs injected into the debuggee's environment under the names reprise.yaml gives them
 * (`mocks[].env`, e.g. PAYMENT_API_URL=http://127.0.0.1:8081); when the target accepts connections the
 * running mocks are handed to the run (they keep serving the debuggee throughout; they stop after the run)
 * and the replay starts, so breakpoints in the service are hit by replayed traffic. The debug session is
 * never stopped by Reprise.
 *
 * "Replay Under Debugger" sends just one request (a failed one) again the same way. "Stop at first
 * mismatch" aborts the replay at the first failing request and opens its diff.
 */
import * as net from 'node:net';
import * as vscode from 'vscode';
import type { RepriseConfig } from '../../engine/config/types.js';
import type { MockManager } from '../../engine/mocks/index.js';
import type { BackgroundServices } from '../commands/background.js';
import type { ReplayDone, ReplayRunner } from '../commands/replay-runner.js';
import { requireTrust } from '../commands/trust.js';
import type { WorkspaceConfig } from '../workspace-config.js';

export interface DebugReplayOptions {
  onlyPairIds?: Set<string>;
  /** Default: the `reprise.debug.stopAtFirstMismatch` setting. */
  stopAtFirstMismatch?: boolean;
  /** Launch configuration to start when no debug session runs (default: reprise.yaml, then the setting). */
  launch?: string;
  /** How long to wait for the debugged service to accept connections (ms, default 30 s). */
  readyTimeoutMs?: number;
}

/** Per-request timeout of replays against a debug target (requests may be paused at breakpoints). */
export const DEBUG_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** Waits until host:port accepts a TCP connection. */
export async function waitForPort(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (signal?.aborted) throw new Error('cancelled');
    if (Date.now() > deadline) throw new Error(`the debug target ${u.host} did not accept connections within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export class DebugTarget implements vscode.Disposable, vscode.DebugConfigurationProvider {
  /** Env injected into the next debug session started by name (the debug flow's launch). */
  private pending: { name: string; env: Record<string, string> } | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly runner: ReplayRunner,
    private readonly background: BackgroundServices,
    private readonly getConfig: () => Promise<WorkspaceConfig | undefined>,
    private readonly log: vscode.LogOutputChannel,
    private readonly openMismatch: (done: ReplayDone) => Promise<void>,
  ) {
    this.subs.push(vscode.debug.registerDebugConfigurationProvider('*', this));
  }

  /**
   * Injects mock URLs into a starting debug session's environment: for the session the debug flow starts,
   * and for any session while "Start Mocks Only" mocks run.
   */
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration {
    let env: Record<string, string> | undefined;
    if (this.pending && config.name === this.pending.name) {
      env = this.pending.env;
      this.pending = undefined;
    } else if (this.background.mockEnv && Object.keys(this.background.mockEnv).length && config.request === 'launch') {
      env = this.background.mockEnv;
    }
    if (env && Object.keys(env).length) {
      config.env = { ...(config.env ?? {}), ...env };
      this.log.info(`debug session '${config.name}': injected ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }
    return config;
  }

  private async launchName(opts: DebugReplayOptions): Promise<string | undefined> {
    if (opts.launch) return opts.launch;
    const fromYaml = (await this.getConfig())?.launch;
    if (fromYaml) return fromYaml;
    const fromSetting = vscode.workspace.getConfiguration('reprise').get<string>('debug.launchConfiguration');
    if (fromSetting) return fromSetting;
    const launches = vscode.workspace.getConfiguration('launch').get<{ name: string }[]>('configurations') ?? [];
    return launches.length === 1 ? launches[0].name : undefined;
  }

  /** Starts the launch configuration with the mocks' env; resolves when its session has started. */
  private async startSession(name: string, env: Record<string, string>): Promise<vscode.DebugSession> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    this.pending = { name, env };
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        if (s.name === name || s.configuration.name === name) {
          sub.dispose();
          resolve(s);
        }
      });
    });
    const ok = await vscode.debug.startDebugging(folder, name);
    if (!ok) {
      this.pending = undefined;
      throw new Error(`the launch configuration '${name}' did not start (is it in .vscode/launch.json?)`);
    }
    return started;
  }

  /** Run Replay Against Debug Target (and Replay Under Debugger with onlyPairIds). */
  async run(opts: DebugReplayOptions = {}): Promise<ReplayDone | undefined> {
    if (!requireTrust('Replaying against the debug target')) return undefined;
    if (this.runner.isRunning) {
      void vscode.window.showWarningMessage('Reprise: a replay is already running. Stop it first (Reprise: Stop).');
      return undefined;
    }
    const config = await this.runner.loadConfig();
    if (!config) return undefined;
    const stopAtFirstMismatch = opts.stopAtFirstMismatch ?? vscode.workspace.getConfiguration('reprise').get<boolean>('debug.stopAtFirstMismatch', false);

    // Mocks this flow starts for the debuggee; handed to the run (which leaves them running) and stopped after it.
    let pre: MockManager | undefined;
    if (!vscode.debug.activeDebugSession) {
      const name = await this.launchName(opts);
      if (!name) {
        void vscode.window.showErrorMessage(
          'Reprise: no debug session is running and no launch configuration is named. Start the service under the debugger, or name its launch configuration in reprise.yaml (`sut.launch`) or in the setting reprise.debug.launchConfiguration.',
        );
        return undefined;
      }
      // Mocks first, so the service can reach its dependencies from the start.
      try {
        if (config.mocks.length && !this.background.mocks) pre = await this.background.startMocksFor(config, this.runner.sessionPlan(config));
        const env = pre?.env ?? this.background.mockEnv ?? {};
        this.log.info(`starting launch configuration '${name}'${Object.keys(env).length ? ` with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
        await this.startSession(name, env);
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Reprise: waiting for ${config.target} (debug session '${name}')`, cancellable: true },
          async (_p, token) => {
            const ac = new AbortController();
            token.onCancellationRequested(() => ac.abort());
            await waitForPort(config.target, opts.readyTimeoutMs ?? 30_000, ac.signal);
          },
        );
      } catch (e) {
        await pre?.stop().catch(() => undefined);
        void vscode.window.showErrorMessage(`Reprise: ${(e as Error).message}`);
        this.log.error(`debug target: ${(e as Error).message}`);
        return undefined;
      }
    } else {
      this.log.info(`replaying against the debug session '${vscode.debug.activeDebugSession.name}' at ${config.target}`);
    }

    let done: ReplayDone | undefined;
    try {
      done = await this.runner.run({
        title: `Replaying against the debug target ${config.target}${opts.onlyPairIds?.size === 1 ? ' (one request)' : ''}`,
        onlyPairIds: opts.onlyPairIds,
        stopAtFirstMismatch,
        // The mocks the debuggee was started against (or "Start Mocks Only" mocks) stay up and serve the run:
        // the debuggee never sees its dependencies go away. Without running mocks the run starts its own.
        mocks: pre ?? this.background.mocks,
        adjust: (c: RepriseConfig) => ({
          ...c,
          // A request may sit at a breakpoint while someone looks around: the per-request timeout is lifted.
          replay: { ...c.replay, timeout: Math.max(c.replay.timeout, DEBUG_REQUEST_TIMEOUT_MS) },
          // The debugger runs the service: Reprise must not start another one.
          ...(c.sut ? { sut: { ...c.sut, command: undefined } } : {}),
        }),
      });
    } finally {
      await pre?.stop().catch(() => undefined);
    }
    if (done?.firstMismatch) await this.openMismatch(done);
    return done;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
