/**
 * Typed messages between the extension host and a webview (no `vscode` import: both sides use it).
 *
 * Three kinds of message, each declared once per screen in `protocols/<screen>.ts`:
 *  - Request<P, R>: webview → host, answered by a reply carrying the same id (`{ result }` or `{ error }`);
 *  - Notification<P>: host → webview, no reply;
 *  - Command<P>: webview → host, no reply (a button press the host acts on).
 * The webview also sends `ready` once its listeners are set; the host queues notifications until then.
 *
 * Every payload the host receives from a webview is checked against its zod schema on arrival (the webview
 * renders captured traffic and is treated as untrusted): see ipc-host.ts and protocols/schemas.ts. This file
 * has no zod import, so the webview bundles stay small.
 */
export interface Request<P, R> {
  readonly kind: 'request';
  readonly method: string;
  /** Phantom: the parameter and reply types. */
  readonly _p?: P;
  readonly _r?: R;
}
export interface Notification<P> {
  readonly kind: 'notification';
  readonly method: string;
  readonly _p?: P;
}
export interface Command<P> {
  readonly kind: 'command';
  readonly method: string;
  readonly _p?: P;
}

export function request<P, R>(method: string): Request<P, R> {
  return { kind: 'request', method };
}
export function notification<P>(method: string): Notification<P> {
  return { kind: 'notification', method };
}
export function command<P>(method: string): Command<P> {
  return { kind: 'command', method };
}

/** The envelope of every message on the wire. */
export type WireMessage =
  | { type: 'ready' }
  | { type: 'request'; id: number; method: string; params: unknown }
  | { type: 'command'; method: string; params: unknown }
  | { type: 'reply'; id: number; result?: unknown; error?: string }
  | { type: 'notification'; method: string; params: unknown };

/** A structural check of the envelope (the payload is checked separately, by its own schema). */
export function isWireMessage(m: unknown): m is WireMessage {
  if (!m || typeof m !== 'object') return false;
  const o = m as Record<string, unknown>;
  const id = () => typeof o.id === 'number' && Number.isInteger(o.id) && o.id >= 0;
  const method = () => typeof o.method === 'string' && o.method.length > 0;
  switch (o.type) {
    case 'ready':
      return true;
    case 'request':
      return id() && method();
    case 'command':
    case 'notification':
      return method();
    case 'reply':
      return id() && (o.error === undefined || typeof o.error === 'string');
    default:
      return false;
  }
}

/**
 * Webview side of the channel. `post` is `acquireVsCodeApi().postMessage`; feed `window` message events'
 * data to `receive`. Replies are matched to requests by id.
 */
export class WebviewClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, (p: unknown) => void>();

  constructor(private readonly post: (m: WireMessage) => void) {}

  request<P, R>(type: Request<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.post({ type: 'request', id, method: type.method, params });
    });
  }

  command<P>(type: Command<P>, params: P): void {
    this.post({ type: 'command', method: type.method, params });
  }

  onNotification<P>(type: Notification<P>, handler: (p: P) => void): void {
    this.handlers.set(type.method, handler as (p: unknown) => void);
  }

  /** Tell the host the listeners are in place. */
  ready(): void {
    this.post({ type: 'ready' });
  }

  receive(raw: unknown): void {
    if (!isWireMessage(raw)) return;
    const m = raw;
    if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    } else if (m.type === 'notification') {
      this.handlers.get(m.method)?.(m.params);
    }
  }
}
