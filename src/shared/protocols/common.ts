/** Messages every screen understands: a probe of what the webview shows (tests and diagnostics). */
import { command, notification } from '../ipc.js';

/** host → webview: report what you show. */
export const probe = notification<{ id: number }>('common/probe');

export interface ProbeReply {
  id: number;
  /** The page's visible text (cut to 20,000 characters). */
  text: string;
  /** Element counts for a fixed set of selectors. */
  counts: Record<string, number>;
  /** performance.now() of the first render of data. */
  renderedAt?: number;
  /** performance.timeOrigin of the page (epoch ms): timeOrigin + renderedAt is the wall-clock time of the render. */
  timeOrigin?: number;
}

/** webview → host: the answer to a probe. */
export const probeReply = command<ProbeReply>('common/probeReply');
