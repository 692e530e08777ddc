/**
 * Base of the Reprise webview panels: the HTML shell with a strict CSP (`default-src 'none'`, scripts only
 * with a per-load nonce, styles and fonts from the webview's own resource origin, workers only from blob: and
 * only for the screen that runs monaco), localResourceRoots limited to dist/webview, and the typed channel
 * (HostEndpoint) with messages queued until the webview says `ready`.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Notification } from '../../shared/ipc.js';
import { HostEndpoint } from '../../shared/ipc-host.js';
import { probe, probeReply, type ProbeReply } from '../../shared/protocols/common.js';
import { contentSecurityPolicy } from './csp.js';

export { contentSecurityPolicy };

export type Screen = 'report' | 'diff' | 'unmatched';

export function screenHtml(webview: vscode.Webview, extensionUri: vscode.Uri, screen: Screen, title: string): { html: string; nonce: string } {
  const nonce = randomBytes(18).toString('base64');
  const root = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
  const js = webview.asWebviewUri(vscode.Uri.joinPath(root, `${screen}.js`));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(root, `${screen}.css`));
  const csp = contentSecurityPolicy(webview.cspSource, nonce, { workers: screen === 'unmatched' });
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${esc(css.toString())}">
<title>${esc(title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${esc(js.toString())}"></script>
</body>
</html>`;
  return { html, nonce };
}

export abstract class RepriseWebview implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly endpoint: HostEndpoint;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private probeSeq = 0;
  private readonly probes = new Map<number, (r: ProbeReply) => void>();
  private readonly disposeListeners: (() => void)[] = [];
  /** Aborted when the panel closes: long reads stop. */
  protected readonly abort = new AbortController();

  constructor(
    viewType: string,
    title: string,
    readonly screen: Screen,
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: vscode.LogOutputChannel,
    column: vscode.ViewColumn = vscode.ViewColumn.Active,
  ) {
    this.panel = vscode.window.createWebviewPanel(viewType, title, column, {
      enableScripts: true,
      enableCommandUris: false,
      enableForms: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      retainContextWhenHidden: screen === 'unmatched', // keep an unsaved stub draft
    });
    this.endpoint = new HostEndpoint(
      (m) => this.panel.webview.postMessage(m),
      (what) => this.log.warn(`${screen} webview: ${what}`),
    );
    this.endpoint.onCommand(probeReply, (r) => {
      this.probes.get(r.id)?.(r);
      this.probes.delete(r.id);
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((m) => void this.endpoint.receive(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    this.panel.webview.html = screenHtml(this.panel.webview, extensionUri, screen, title).html;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  notify<P>(type: Notification<P>, params: P): void {
    if (!this.disposed) this.endpoint.notify(type, params);
  }

  /** Resolves when the webview has loaded its script and said `ready`. */
  whenReady(): Promise<void> {
    return this.endpoint.whenReady();
  }

  /** What the webview shows right now (its text and a few element counts): a real message round trip. */
  async probe(timeoutMs = 10_000): Promise<ProbeReply> {
    await this.whenReady();
    const id = ++this.probeSeq;
    return new Promise<ProbeReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error(`${this.screen} webview did not answer a probe within ${timeoutMs} ms`));
      }, timeoutMs);
      this.probes.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.endpoint.notify(probe, { id });
    });
  }

  onDidDispose(fn: () => void): void {
    this.disposeListeners.push(fn);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    for (const fn of this.disposeListeners.splice(0)) fn();
  }
}
