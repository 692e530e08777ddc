/** The webview end of the host channel (acquireVsCodeApi) or, in a standalone HTML report, nothing. */
import { WebviewClient, type WireMessage } from '../../../src/shared/ipc.js';


interface VsCodeApi {
  postMessage(m: unknown): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare const acquireVsCodeApi: undefined | (() => VsCodeApi);

export interface Channel {
  client: WebviewClient;
  /** False in a standalone HTML report: there is no host to act. */
  connected: boolean;
  getState<T>(): T | undefined;
  setState(s: unknown): void;
}

export function connect(): Channel {
  const api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  const client = new WebviewClient((m: WireMessage) => api?.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => client.receive(e.data));
  return {
    client,
    connected: !!api,
    getState: <T>() => api?.getState() as T | undefined,
    setState: (s) => api?.setState(s),
  };
}
