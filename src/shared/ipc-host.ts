/**
 * Host side of a webview channel: every payload arriving from the webview is checked against its zod schema
 * (protocols/schemas.ts) before a handler sees it. Registering a handler for a message without a schema is
 * a programming error and throws.
 */
import type { z } from 'zod';
import { isWireMessage, type Command, type Notification, type Request, type WireMessage } from './ipc.js';
import { paramSchemas } from './protocols/schemas.js';

type Handler<P, R> = (params: P) => R | Promise<R>;

/** Short text of a zod error: `path: message; …` (first few issues). */
export function zodMessage(e: z.ZodError): string {
  return e.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(payload)'}: ${i.message}`)
    .join('; ');
}

function schemaOf(method: string): z.ZodType {
  const s = paramSchemas[method];
  if (!s) throw new Error(`no parameter schema for '${method}' in protocols/schemas.ts`);
  return s;
}

/**
 * Host side of one webview's channel. `post` sends a message to the webview (webview.postMessage);
 * feed every message the webview sends to `receive`.
 */
export class HostEndpoint {
  private readonly requests = new Map<string, { schema: z.ZodType; handler: Handler<unknown, unknown> }>();
  private readonly commands = new Map<string, { schema: z.ZodType; handler: Handler<unknown, void> }>();
  private readonly queue: WireMessage[] = [];
  private isReady = false;
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly post: (m: WireMessage) => unknown,
    private readonly onInvalid: (what: string) => void = () => {},
  ) {}

  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves once the webview has said `ready`. */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  onRequest<P, R>(type: Request<P, R>, handler: Handler<P, R>): void {
    this.requests.set(type.method, { schema: schemaOf(type.method), handler: handler as Handler<unknown, unknown> });
  }

  onCommand<P>(type: Command<P>, handler: Handler<P, void>): void {
    this.commands.set(type.method, { schema: schemaOf(type.method), handler: handler as Handler<unknown, void> });
  }

  /** Send a notification; queued until the webview is ready. */
  notify<P>(type: Notification<P>, params: P): void {
    const m: WireMessage = { type: 'notification', method: type.method, params };
    if (this.isReady) this.post(m);
    else this.queue.push(m);
  }

  /**
   * Handle a request as if the webview had sent it (same schema check, same handler) and return the reply:
   * for tests and for host-side callers that want the screen's behaviour without the screen.
   */
  dispatch(method: string, params: unknown): Promise<{ result?: unknown; error?: string }> {
    return this.answer(method, params);
  }

  private async answer(method: string, params: unknown): Promise<{ result?: unknown; error?: string }> {
    const entry = this.requests.get(method);
    if (!entry) return { error: `unknown request '${method}'` };
    const p = entry.schema.safeParse(params);
    if (!p.success) {
      const msg = `bad parameters for '${method}': ${zodMessage(p.error)}`;
      this.onInvalid(msg);
      return { error: msg };
    }
    try {
      return { result: await entry.handler(p.data) };
    } catch (e) {
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** The webview was reloaded (its state is gone): queue again until it says ready. */
  reset(): void {
    this.isReady = false;
  }

  /** Handle one raw message from the webview. Resolves when a request has been answered. */
  async receive(raw: unknown): Promise<void> {
    if (!isWireMessage(raw)) {
      this.onInvalid('malformed message');
      return;
    }
    const m = raw;
    switch (m.type) {
      case 'ready': {
        this.isReady = true;
        for (const q of this.queue.splice(0)) this.post(q);
        for (const w of this.readyWaiters.splice(0)) w();
        return;
      }
      case 'request': {
        const reply = await this.answer(m.method, m.params);
        this.post(reply.error !== undefined ? { type: 'reply', id: m.id, error: reply.error } : { type: 'reply', id: m.id, result: reply.result });
        return;
      }
      case 'command': {
        const entry = this.commands.get(m.method);
        if (!entry) {
          this.onInvalid(`unknown command '${m.method}'`);
          return;
        }
        const p = entry.schema.safeParse(m.params);
        if (!p.success) {
          this.onInvalid(`bad parameters for '${m.method}': ${zodMessage(p.error)}`);
          return;
        }
        try {
          await entry.handler(p.data);
        } catch (e) {
          this.onInvalid(`command '${m.method}' failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        return;
      }
      default:
        this.onInvalid(`unexpected '${m.type}' message from the webview`);
    }
  }
}

