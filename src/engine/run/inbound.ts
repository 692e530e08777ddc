/** The inbound traffic a run replays (optionally only some pair ids), and how many pairs that is. */
import { stat } from 'node:fs/promises';
import type { Pair, SourceIssue } from '../store/model.js';
import { readPairs } from '../store/index.js';
import { countLines } from '../store/io.js';
import { filterPairs } from '../sut/index.js';

export interface InboundSelection {
  traffic: string[];
  onlyPairIds?: Set<string>;
  signal?: AbortSignal;
}

/** The inbound pairs to replay, problems reported to `onIssue` (none when omitted). */
export function inboundPairs(sel: InboundSelection, onIssue: (i: SourceIssue) => void = () => {}): AsyncIterable<Pair> {
  const src = readPairs(sel.traffic, { signal: sel.signal, onIssue, direction: 'in' });
  const only = sel.onlyPairIds;
  return only ? filterPairs(src, (p) => only.has(p.id)) : src;
}

/**
 * How many inbound pairs a run will replay, for progress. Plain `.jsonl(.gz)` files are counted by lines
 * (an estimate: an outbound pair in the same file counts too) without parsing; anything else, and a run
 * limited to some pair ids, is counted by reading it.
 */
export async function countInbound(sel: InboundSelection): Promise<number> {
  let n = 0;
  if (sel.onlyPairIds) {
    for await (const _ of inboundPairs(sel)) n++;
    return n;
  }
  for (const src of sel.traffic) {
    const isFile = await stat(src).then((s) => s.isFile(), () => false);
    if (isFile && /\.jsonl(\.gz)?$/i.test(src)) {
      n += await countLines(src, sel.signal);
    } else {
      for await (const _ of readPairs([src], { signal: sel.signal, onIssue: () => {}, direction: 'in' })) n++;
    }
  }
  return n;
}
