/**
 * Read-only documents: a recorded pair (request and response as HTTP text, secret headers redacted), and
 * text the extension generates (expected/actual of a failed request, an unmatched call) — opened from the
 * views, the test results and the debug flow. Both are served by one TextDocumentContentProvider, so the
 * editor shows them read-only.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Pair, PairSummary } from '../../engine/store/index.js';
import type { EngineHost } from '../engine-host.js';

export const DOC_SCHEME = 'reprise';

/** URI of a pair's document: reprise:/pair/<session>/<METHOD path>.http?{"source","id"}. */
export function pairUri(source: string, pair: Pick<PairSummary, 'id' | 'session' | 'method' | 'url'>): vscode.Uri {
  const name = `${pair.method} ${pair.url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0].replace(/\//g, '∕')}`.slice(0, 120);
  return vscode.Uri.from({
    scheme: DOC_SCHEME,
    path: `/pair/${pair.session.replace(/\//g, '∕')}/${name}.http`,
    query: JSON.stringify({ source, id: pair.id }),
  });
}

function headerLines(headers: Record<string, string | string[]> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers ?? {})) for (const one of Array.isArray(v) ? v : [v]) out.push(`${k}: ${one}`);
  return out;
}

/** A body as text: pretty JSON when it parses, a placeholder for binary. */
export function bodyForDisplay(body: string | undefined, encoding: 'utf8' | 'base64' | undefined, contentType?: string): string {
  if (body === undefined || body === '') return '';
  if (encoding === 'base64') return `<${Buffer.from(body, 'base64').length} bytes of binary data${contentType ? ` (${contentType})` : ''}>`;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function contentTypeOf(headers: Record<string, string | string[]> | undefined): string | undefined {
  const v = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  return Array.isArray(v) ? v[0] : v;
}

export function renderPair(pair: Pair, redact: (h: Pair['request']['headers']) => Pair['request']['headers'], file?: string): string {
  const lines: string[] = [];
  lines.push(`# ${pair.direction === 'in' ? 'inbound' : `outbound → ${pair.service ?? '?'}`} · session ${pair.session} #${pair.seq} · ${pair.ts}${pair.duration !== undefined ? ` · ${pair.duration} ms` : ''}`);
  lines.push(`# pair ${pair.id}${file ? ` · ${file}` : ''}`);
  lines.push('');
  lines.push(`${pair.request.method} ${pair.request.url}`);
  lines.push(...headerLines(redact(pair.request.headers)));
  const reqBody = bodyForDisplay(pair.request.body, pair.request.bodyEncoding, contentTypeOf(pair.request.headers));
  if (reqBody) lines.push('', reqBody);
  lines.push('', '###', '');
  if (pair.response) {
    lines.push(`HTTP ${pair.response.status}`);
    lines.push(...headerLines(redact(pair.response.headers)));
    const resBody = bodyForDisplay(pair.response.body, pair.response.bodyEncoding, contentTypeOf(pair.response.headers));
    if (resBody) lines.push('', resBody);
  } else {
    lines.push('(no recorded response)');
  }
  return lines.join('\n') + '\n';
}

export class RepriseDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private seq = 0;

  constructor(private readonly host: EngineHost) {}

  /** A read-only document with this text; `name` becomes its title. */
  textUri(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: DOC_SCHEME, path: `/text/${++this.seq}/${name.replace(/\//g, '∕')}` });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 200) this.texts.delete(this.texts.keys().next().value!);
    return uri;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.path.startsWith('/text/')) return this.texts.get(uri.toString()) ?? '(this document is no longer available)';
    if (uri.path.startsWith('/pair/')) {
      const { source, id } = JSON.parse(uri.query) as { source: string; id: string };
      const engine = this.host.engine();
      const pair = await engine.store.getPair([source], id);
      if (!pair) return `pair ${id} not found in ${source}\n`;
      return renderPair(pair, (h) => engine.report.redactHeaders(h), path.basename(source));
    }
    return '';
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}
