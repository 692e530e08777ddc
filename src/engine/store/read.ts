/**
 * readPairs: every supported traffic format, from files or folders, as one stream of pairs.
 */
import type { Direction, Pair, SourceIssue } from './model.js';
import { walkSources } from './io.js';
import { detectFormat, type TrafficFormat } from './detect.js';
import { jsonlPairBatches, jsonlPairs } from './jsonl.js';
import { harPairs } from './importers/har.js';
import { proxymockJsonlPairs } from './importers/proxymock-jsonl.js';
import { rrpairMdPairs } from './importers/rrpair-md.js';
import { gorPairs } from './importers/gor.js';
import { keployPairs } from './importers/keploy.js';
import { wiremockFilePairs, wiremockRootOf, wiremockRootPairs } from './importers/wiremock.js';
import type { ImportContext, Importer, LocatedPair } from './importers/types.js';
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';

export interface ReadOptions {
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
  /** Only pairs of this direction. */
  direction?: Direction;
  /** Direction given to pairs of formats that do not record one (HAR, GoReplay). Default 'in'. */
  defaultDirection?: Direction;
  /**
   * Service given to outbound pairs of formats that do not name one (WireMock mappings; default: the
   * WireMock root's folder name, see importers/wiremock.ts).
   */
  service?: string;
  /** Read every file as this format instead of detecting it from the content. */
  format?: Exclude<TrafficFormat, 'unknown'>;
}

const importers: Partial<Record<TrafficFormat, Importer>> = {
  jsonl: jsonlPairs,
  har: harPairs,
  'proxymock-jsonl': proxymockJsonlPairs,
  'rrpair-md': rrpairMdPairs,
  gor: gorPairs,
  keploy: keployPairs,
};


const TRAFFIC_EXT = /\.(jsonl|har|gor)(\.gz)?$/i;

/** Pairs with their file and line/entry: what the index and lookups need. */
export async function* readLocated(sources: string[], opts: ReadOptions = {}): AsyncGenerator<LocatedPair> {
  for await (const batch of readLocatedBatches(sources, opts)) {
    for (let i = 0; i < batch.length; i++) {
      opts.signal?.throwIfAborted();
      yield batch[i];
    }
  }
}

/**
 * `readLocated` in batches: native JSONL files in one batch per chunk read (the hot path of a replay),
 * other formats one pair at a time. Batches are never empty.
 */
async function* readLocatedBatches(sources: string[], opts: ReadOptions = {}): AsyncGenerator<LocatedPair[]> {
  const onIssue = opts.onIssue ?? (() => {});
  /** WireMock roots already read whole (their other files are skipped). */
  const doneRoots = new Set<string>();
  const hasMappings = new Map<string, Promise<boolean>>();
  const rootHasMappings = (root: string) => {
    let p = hasMappings.get(root);
    if (!p) hasMappings.set(root, (p = fsp.stat(path.join(root, 'mappings')).then((s) => s.isDirectory(), () => false)));
    return p;
  };
  for await (const src of walkSources(sources, onIssue, opts.signal)) {
    const wr = wiremockRootOf(src.file);
    if (wr && doneRoots.has(wr.root) && !src.explicit) continue;
    // WireMock response bodies are read with their mappings, never as traffic of their own.
    if (wr?.part === '__files' && !src.explicit && (await rootHasMappings(wr.root))) continue;
    let format: TrafficFormat;
    try {
      format = opts.format ?? (await detectFormat(src.file));
    } catch (e) {
      onIssue({ file: src.file, severity: 'error', message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    if (format === 'wiremock') {
      const whole = wr?.part === 'mappings' && !src.explicit;
      if (whole) doneRoots.add(wr.root);
      if (opts.direction === 'in') continue; // mappings are outbound traffic
      const sourceRoot = src.file.slice(0, src.file.length - src.rel.length);
      const base = wr ? wr.root : path.dirname(src.file);
      const session = (path.relative(sourceRoot, base).split(path.sep).join('/') || path.basename(base)).replace(/^\.\.\/.*$/, path.basename(base));
      const wopts = { service: opts.service, session, signal: opts.signal };
      let located: LocatedPair[];
      try {
        located =
          wr?.part === 'mappings'
            ? await wiremockRootPairs(wr.root, { ...wopts, ...(whole ? {} : { onlyFile: src.file }) }, onIssue)
            : await wiremockFilePairs(src.file, wopts, onIssue);
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        onIssue({ file: src.file, severity: 'error', message: `reading stopped: ${(e as Error).message}` });
        continue;
      }
      for (const lp of located) {
        opts.signal?.throwIfAborted();
        yield [lp];
      }
      continue;
    }
    const importer = format === 'unknown' ? undefined : importers[format];
    if (!importer) {
      if (src.explicit || TRAFFIC_EXT.test(src.file)) {
        onIssue({
          file: src.file,
          severity: 'warning',
          message: format === 'unknown' ? 'not a recognised traffic format; skipped' : `no importer for ${format}; skipped`,
        });
      }
      continue;
    }
    const ctx: ImportContext = {
      file: src.file,
      rel: src.rel,
      signal: opts.signal,
      defaultDirection: opts.defaultDirection ?? 'in',
      issue: (i) => onIssue({ ...i, file: i.file ?? src.file }),
    };
    try {
      if (format === 'jsonl') {
        for await (const batch of jsonlPairBatches(ctx)) {
          const keep = opts.direction ? batch.filter((lp) => lp.pair.direction === opts.direction) : batch;
          if (keep.length) yield keep;
        }
      } else {
        for await (const lp of importer(ctx)) {
          if (opts.direction && lp.pair.direction !== opts.direction) continue;
          yield [lp];
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      onIssue({ file: src.file, severity: 'error', message: `reading stopped: ${(e as Error).message}` });
    }
  }
}

/**
 * Pairs of every traffic file under the sources, in file order (folders recursed in sorted path
 * order). Problems are reported through `onIssue` and never stop the rest from loading; a missing
 * source is an error issue, not a throw. Aborting the signal rejects the iteration.
 */
export async function* readPairs(sources: string[], opts: ReadOptions = {}): AsyncGenerator<Pair> {
  for await (const batch of readLocatedBatches(sources, opts)) {
    for (let i = 0; i < batch.length; i++) {
      opts.signal?.throwIfAborted();
      yield batch[i].pair;
    }
  }
}
