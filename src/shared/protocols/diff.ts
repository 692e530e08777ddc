/** Messages of the response diff panel (webview-ui/src/diff). Parameter schemas: schemas.ts. */
import { notification, request } from '../ipc.js';
import type { DiffView } from '../view-types.js';

/** host → webview: the diff to show (sent on open and after each action that changes it). */
export const diffInit = notification<DiffView>('diff/init');

/** Reply of every diff action: what happened, in one line, and whether it worked. */
export interface ActionReply {
  ok: boolean;
  message: string;
}

/** webview → host: recompute the diff with more lines ("show more"). */
export const diffMore = request<{ lineLimit: number }, DiffView>('diff/more');
/** Write `path` into reprise.yaml's validate.ignore. */
export const ignorePath = request<{ path: string }, ActionReply>('diff/ignorePath');
/** Add a numeric tolerance for `path` to validate.tolerances (the host asks for the value when absent). */
export const addTolerance = request<{ path: string; tolerance?: number }, ActionReply>('diff/addTolerance');
/** Replace the recorded response of the pair with the actual one. */
export const acceptActual = request<Record<string, never>, ActionReply>('diff/acceptActual');
/** Open expected vs actual in VS Code's diff editor. */
export const openNativeDiff = request<Record<string, never>, ActionReply>('diff/openNative');
/** Replay this request again (with the session's earlier requests, for captured values). */
export const rerunRequest = request<Record<string, never>, ActionReply & { outcome?: string; runId?: string }>('diff/rerun');
