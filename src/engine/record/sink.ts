/**
 * Where recorded pairs go: one JsonlWriter per store file, opened on first use, writes serialised per
 * file. Within a file, a session's pairs are written in `seq` order (exchanges finish out of order; the
 * replay reads a session's pairs in store order), each one as soon as all earlier ones of its session are
 * done. An exchange that is not recorded releases its slot with `null`.
 */
import * as path from 'node:path';
import { JsonlWriter } from '../store/jsonl.js';
import type { PairInput } from '../store/model.js';

interface Slot {
  next: number;
  ready: Map<number, PairInput | null>;
}

export class PairSink {
  private readonly writers = new Map<string, Promise<JsonlWriter>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly onWritten: (pair: PairInput, file: string) => void,
    private readonly onError: (err: Error, file: string) => void,
  ) {}

  /** Hand over the exchange `seq` of `session` for `file` (relative to the root); `null` skips it. */
  complete(file: string, session: string, seq: number, pair: PairInput | null): void {
    const key = `${file}\u0000${session}`;
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { next: 0, ready: new Map() }));
    slot.ready.set(seq, pair);
    while (slot.ready.has(slot.next)) {
      const p = slot.ready.get(slot.next)!;
      slot.ready.delete(slot.next);
      slot.next++;
      if (p) this.write(file, p);
    }
  }

  private write(file: string, pair: PairInput): void {
    if (this.closed) return;
    const abs = path.join(this.root, file);
    let w = this.writers.get(file);
    if (!w) {
      w = JsonlWriter.open(abs);
      this.writers.set(file, w);
    }
    const writer = w;
    const prev = this.chains.get(file) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        await (await writer).write(pair);
        this.onWritten(pair, file);
      } catch (e) {
        this.onError(e as Error, abs);
      }
    });
    this.chains.set(file, next);
  }

  /** Write what is still waiting for an earlier exchange (in seq order), then flush and close every file. */
  async close(): Promise<void> {
    for (const [key, slot] of this.slots) {
      const file = key.slice(0, key.indexOf('\u0000'));
      for (const seq of [...slot.ready.keys()].sort((a, b) => a - b)) {
        const p = slot.ready.get(seq);
        if (p) this.write(file, p);
      }
      slot.ready.clear();
    }
    this.closed = true;
    await Promise.all(this.chains.values());
    for (const [file, w] of this.writers) {
      try {
        await (await w).close();
      } catch (e) {
        this.onError(e as Error, path.join(this.root, file));
      }
    }
  }

  /** Store files written so far (relative to the root). */
  files(): string[] {
    return [...this.writers.keys()].sort();
  }
}
