/** Reading JSON Lines files that may end in a torn line (a run killed mid-write). */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface JsonLine<T> {
  /** 1-based line number. */
  no: number;
  text: string;
  /** The parsed value; undefined when the line is not valid JSON (then `error` says why). */
  value?: T;
  error?: string;
}

/**
 * Every non-blank line of a JSONL file, parsed. A missing file yields nothing. A line that does not
 * parse is yielded with `error` set so callers can skip it (a torn last line) or report it.
 */
export async function* jsonLines<T = unknown>(file: string, signal?: AbortSignal): AsyncGenerator<JsonLine<T>> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<boolean>((resolve, reject) => {
    input.once('open', () => resolve(true));
    input.once('error', (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? resolve(false) : reject(e)));
  });
  if (!(await opened)) return;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let no = 0;
  try {
    for await (const text of rl) {
      no++;
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      if (text.trim() === '') continue;
      try {
        yield { no, text, value: JSON.parse(text) as T };
      } catch (e) {
        yield { no, text, error: (e as Error).message };
      }
    }
  } finally {
    rl.close();
    input.destroy();
  }
}
