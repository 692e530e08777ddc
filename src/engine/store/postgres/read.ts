/**
 * Postgres conversations of traffic sources: `kind: "postgres"` lines of native JSONL files and Keploy
 * `kind: Postgres` mocks. HTTP pair readers skip both; this reads only them.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { detectFormat } from '../detect.js';
import { readLines, walkSources } from '../io.js';
import type { SourceIssue } from '../model.js';
import { zodMessage } from '../importers/types.js';
import { keployPgConversations } from './keploy.js';
import { isConversationLine, PgConversationSchema, type PgConversation, type PgConversationInput } from './model.js';

export interface ReadConversationsOptions {
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
}

/** Every Postgres conversation under the sources, in file order. */
export async function* readPgConversations(sources: string[], opts: ReadConversationsOptions = {}): AsyncGenerator<PgConversation> {
  const onIssue = opts.onIssue ?? (() => {});
  for await (const src of walkSources(sources, onIssue, opts.signal)) {
    let format;
    try {
      format = await detectFormat(src.file);
    } catch {
      continue;
    }
    if (format === 'jsonl') {
      for await (const { text, no } of readLines(src.file, opts.signal)) {
        if (!text.includes('"postgres"')) continue;
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          continue; // the pair reader reports it
        }
        if (!isConversationLine(raw)) continue;
        const parsed = PgConversationSchema.safeParse(raw);
        if (!parsed.success) {
          onIssue({ file: src.file, line: no, severity: 'error', message: `not a Postgres conversation: ${zodMessage(parsed.error.issues)}` });
          continue;
        }
        yield parsed.data;
      }
    } else if (format === 'keploy' && /^mocks?\b/i.test(path.basename(src.file))) {
      const convs = await keployPgConversations({
        file: src.file,
        rel: src.rel,
        signal: opts.signal,
        issue: (i) => onIssue({ ...i, file: src.file }),
      });
      yield* convs;
    }
  }
}

/** Whether any source holds a Postgres conversation (stops at the first). */
export async function hasPgConversations(sources: string[], signal?: AbortSignal): Promise<boolean> {
  for await (const _ of readPgConversations(sources, { signal })) return true;
  return false;
}

/** Append conversations to a JSONL file (created with its folder when missing). */
export async function appendConversations(file: string, convs: PgConversationInput[]): Promise<void> {
  await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const lines = convs.map((c) => JSON.stringify(PgConversationSchema.parse(c)) + '\n').join('');
  await fsp.appendFile(file, lines);
}
