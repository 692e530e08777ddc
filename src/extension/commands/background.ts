/**
 * Long-lived helpers started from commands and stopped by "Reprise: Stop": mocks started on their own
 * ("Start Mocks Only", so the service can be run or debugged against them) and the recording proxies
 * ("Record Traffic"). While mocks run, their URLs are also injected into debug sessions (see debug/).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RepriseConfig } from '../../engine/config/types.js';
import type { MockManager, SessionIsolation } from '../../engine/mocks/index.js';
import type { Recorder } from '../../engine/record/index.js';
import type { EngineHost } from '../engine-host.js';
import type { RepriseStatusBar } from '../status-bar.js';
import type { ReplayRunner } from './replay-runner.js';
import { requireTrust } from './trust.js';

export class BackgroundServices implements vscode.Disposable {
  private mocksHandle: MockManager | undefined;
  private recorder: Recorder | undefined;

  constructor(
    private readonly host: EngineHost,
    private readonly runner: ReplayRunner,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: RepriseStatusBar,
  ) {}

  /** Environment for the service (mock env name → URL) while mocks started here are running. */
  get mockEnv(): Record<string, string> | undefined {
    return this.mocksHandle?.env;
  }

  get mocks(): MockManager | undefined {
    return this.mocksHandle;
  }

  /**
   * Starts the configured mocks from a config (used by Start Mocks Only and the debug flow). `sessions`: how
   * they keep replay sessions apart (the debug flow passes the run's session plan, as it hands them to the run).
   */
  async startMocksFor(config: RepriseConfig, sessions?: SessionIsolation): Promise<MockManager> {
    const engine = this.host.engine();
    const ctx = this.host.context();
    return engine.mocks.startMocks(config.mocks, {
      ctx,
      ...(sessions ? { sessions } : {}),
      outbound: (service, cfg) => {
        const src = engine.store.readPairs(cfg.traffic.length ? cfg.traffic : config.traffic, {
          direction: 'out',
          onIssue: (i) => ctx.logger.warn(`${i.file}${i.line ? ':' + i.line : ''}: ${i.message}`),
        });
        return (async function* () {
          for await (const p of src) if (p.service === service) yield p;
        })();
      },
    });
  }

  /** Start Mocks Only: the mocks keep running until Reprise: Stop. Returns their env (name → URL). */
  async startMocks(): Promise<Record<string, string> | undefined> {
    if (!requireTrust('Starting mocks')) return undefined;
    if (this.mocksHandle) {
      void vscode.window.showInformationMessage(`Reprise: mocks are already running (${this.describeMocks(this.mocksHandle)}).`);
      return this.mocksHandle.env;
    }
    const config = await this.runner.loadConfig();
    if (!config) return undefined;
    if (!config.mocks.length) {
      void vscode.window.showWarningMessage('Reprise: reprise.yaml configures no mocks (`mocks:`).');
      return undefined;
    }
    try {
      this.mocksHandle = await this.startMocksFor(config);
    } catch (e) {
      this.log.error(`starting mocks failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Reprise: starting mocks failed: ${(e as Error).message}`);
      return undefined;
    }
    const text = this.describeMocks(this.mocksHandle);
    this.log.info(`mocks running: ${text}`);
    for (const [k, v] of Object.entries(this.mocksHandle.env)) this.log.info(`  ${k}=${v}`);
    this.status.message(`$(server-process) Reprise mocks`, `Mocks running: ${text}. Reprise: Stop stops them.`);
    this.status.item.command = 'reprise.stop';
    void vscode.commands.executeCommand('setContext', 'reprise.mocksRunning', true);
    void vscode.window.showInformationMessage(`Reprise: mocks running — ${text}. Start the service with ${Object.entries(this.mocksHandle.env).map(([k, v]) => `${k}=${v}`).join(' ') || 'their URLs'}.`);
    return this.mocksHandle.env;
  }

  private describeMocks(m: MockManager): string {
    return Object.entries(m.urls).map(([s, u]) => `${s} ${u}`).join(', ');
  }

  async stopMocks(): Promise<boolean> {
    const m = this.mocksHandle;
    if (!m) return false;
    this.mocksHandle = undefined;
    void vscode.commands.executeCommand('setContext', 'reprise.mocksRunning', false);
    const unmatched = m.unmatched();
    await m.stop();
    this.log.info(`mocks stopped (${m.stats().map((s) => `${s.service}: ${s.calls} calls, ${s.unmatched} unmatched`).join('; ')})`);
    for (const u of unmatched.slice(0, 20)) this.log.warn(`unmatched ${u.service}: ${u.request.method} ${u.request.url}`);
    return true;
  }

  /** Record Traffic: the inbound reverse proxy in front of the service and the outbound proxy for its HTTP_PROXY. */
  async startRecording(opts: { out?: string } = {}): Promise<{ inUrl: string; outProxyUrl: string; outDir: string } | undefined> {
    if (!requireTrust('Recording traffic')) return undefined;
    if (this.recorder) {
      void vscode.window.showInformationMessage(`Reprise: already recording into ${this.recorder.outDir}.`);
      return undefined;
    }
    const config = await this.runner.loadConfig();
    if (!config) return undefined;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const out = opts.out ?? await vscode.window.showInputBox({
      title: 'Reprise: Record Traffic',
      prompt: `Folder to record into (relative to ${config.root}); the service must be running at ${config.target}`,
      value: `traffic/recorded-${stamp}`,
    });
    if (!out) return undefined;
    const engine = this.host.engine();
    try {
      this.recorder = await engine.record.startRecorder({ appUrl: config.target, out: path.resolve(config.root, out), inPort: 0, outPort: 0, ctx: this.host.context() });
    } catch (e) {
      void vscode.window.showErrorMessage(`Reprise: recording failed to start: ${(e as Error).message}`);
      return undefined;
    }
    const r = this.recorder;
    void vscode.commands.executeCommand('setContext', 'reprise.recording', true);
    this.log.info(`recording into ${r.outDir}: clients → ${r.inUrl}; the service's HTTP_PROXY=${r.outProxyUrl}`);
    this.status.message(`$(record) Reprise recording`, `Recording into ${r.outDir}. Reprise: Stop ends it.`);
    this.status.item.command = 'reprise.stop';
    void vscode.window.showInformationMessage(`Reprise: recording. Send traffic to ${r.inUrl}; give the service HTTP_PROXY=${r.outProxyUrl}. Reprise: Stop ends it.`);
    return { inUrl: r.inUrl, outProxyUrl: r.outProxyUrl, outDir: r.outDir };
  }

  async stopRecording(): Promise<boolean> {
    const r = this.recorder;
    if (!r) return false;
    this.recorder = undefined;
    void vscode.commands.executeCommand('setContext', 'reprise.recording', false);
    await r.stop();
    const st = r.stats();
    this.log.info(`recording stopped: ${st.inbound} inbound, ${st.outbound} outbound pairs in ${r.outDir} (${r.files().join(', ')})`);
    void vscode.window.showInformationMessage(`Reprise: recorded ${st.inbound} inbound and ${st.outbound} outbound pairs into ${r.outDir}.`);
    return true;
  }

  /** Reprise: Stop — the replay, the mocks and the recording, whichever are running. */
  async stopAll(): Promise<boolean> {
    const a = this.runner.stop();
    const b = await this.stopMocks();
    const c = await this.stopRecording();
    return a || b || c;
  }

  dispose(): void {
    void this.mocksHandle?.stop();
    void this.recorder?.stop();
  }
}
