/** Messages of the unmatched mock calls panel (webview-ui/src/unmatched). Parameter schemas: schemas.ts. */
import { notification, request } from '../ipc.js';
import type { UnmatchedInit } from '../view-types.js';

/** host → webview: the run's unmatched calls. */
export const unmatchedInit = notification<UnmatchedInit>('unmatched/init');

export interface StubDraft {
  /** The draft as JSON text (one stub, or an array when several calls were promoted). */
  text: string;
  /** JSON Schema of a stub file, for the editor's validation. */
  schema: Record<string, unknown>;
  /** Notes about the draft (e.g. which stub's response was reused). */
  notes: string[];
}

/** Draft stubs for the chosen calls. `mode`: copy the call exactly, or loosen the nearest stub. */
export const draftStubs = request<{ callIds: string[]; mode: 'new' | 'loosen-nearest' }, StubDraft>('unmatched/draft');

export interface SaveReply {
  ok: boolean;
  /** Files written (one per stub), relative to the config's folder. */
  files: string[];
  /** Validation problems (nothing is written when there are any). */
  errors: string[];
}

/** Validate the edited draft against the stub schema and write it to the service's stub folder. */
export const saveStubs = request<{ text: string }, SaveReply>('unmatched/save');

export interface RerunReply {
  ok: boolean;
  runId?: string;
  message: string;
  /** For each promoted call: does the rerun no longer record it as unmatched? */
  calls: { callId: string; matched: boolean }[];
}

/** Rerun after saving stubs; reports whether the promoted calls now match. */
export const rerunAfterPromote = request<{ callIds: string[] }, RerunReply>('unmatched/rerun');
