/**
 * "Accept actual as expected": replace the recorded response of one pair with the live one, in the native
 * JSONL file it was read from (the line is rewritten; every other line stays byte for byte). Other formats
 * (HAR, gzip, …) are refused with a message: they are imports, not Reprise's own store.
 * No `vscode` import: unit-tested as is.
 */
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';

import type { ActualResponse } from '../../shared/results.js';

/**
 * Rewrite line `line` (1-based) of `file`, whose pair has id `pairId`, with `response` as its recorded
 * response. Throws when the file is not plain JSONL, the line does not hold that pair, or the body was cut.
 */
export async function acceptActualInFile(file: string, line: number, pairId: string, response: ActualResponse): Promise<void> {
  if (!/\.jsonl$/i.test(file)) throw new Error(`${path.basename(file)} is not a Reprise JSONL recording: only .jsonl files can be updated (re-import or record again)`);
  if (response.truncated) throw new Error('the live body was cut by the run’s size cap: it cannot become the recording');
  const text = await fsp.readFile(file, 'utf8');
  const lines = text.split('\n');
  const idx = line - 1;
  if (idx < 0 || idx >= lines.length) throw new Error(`${file}:${line}: no such line`);
  let pair: Record<string, unknown>;
  try {
    pair = JSON.parse(lines[idx]) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}:${line}: not JSON (${(e as Error).message})`);
  }
  if (pair.id !== pairId) throw new Error(`${file}:${line}: holds pair '${String(pair.id)}', not '${pairId}' (the file changed since the run)`);
  const rec: Record<string, unknown> = { status: response.status, headers: response.headers };
  if (response.body !== undefined) rec.body = response.body;
  if (response.bodyEncoding && response.bodyEncoding !== 'utf8') rec.bodyEncoding = response.bodyEncoding;
  pair.response = rec;
  lines[idx] = JSON.stringify(pair);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  await fsp.writeFile(tmp, lines.join('\n'), 'utf8');
  await fsp.rename(tmp, file);
}
