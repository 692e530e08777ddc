/**
 * readPairs: every supported traffic format, from files or folders, as one stream of pairs.
 */
import type { Direction, Pair, SourceIssue } from './model.js';
import { walkSources } from './io.js';
import { detectFormat, type TrafficFormat } from './detect.js';
import { jsonlPairs } from './jsonl.js';
import { harPairs } from './importers/har.js';
import { proxymockJsonlPairs } from './importers/proxymock-jsonl.js';
import { rrpairMdPairs } from './importers/rrpair-md.js';
import { gorPairs } from './importers/gor.js';
import { keployPairs } from './importers/keploy.js';
import type { ImportContext, Importer, LocatedPair } from './importers/types.js';

export interface ReadOptions {
  signal?: AbortSignal;
  onIssue?: (i: SourceIssue) => void;
  /** Only pairs of this direction. */
  direction?: Direction;
  /** Direction given to pairs of formats that do not record one (HAR, GoReplay). Default 'in'. */
  defaultDirection?: Direction;
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
  const onIssue = opts.onIssue ?? (() => {});
  for await (const src of walkSources(sources, onIssue, opts.signal)) {
    let format: TrafficFormat;
    try {
      format = await detectFormat(src.file);
    } catch (e) {
      onIssue({ file: src.file, severity: 'error', message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    if (format === 'wiremock') {
      onIssue({ file: src.file, severity: 'info', message: 'WireMock mappings are served as stubs by mocks' });
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
      for await (const lp of importer(ctx)) {
        if (opts.direction && lp.pair.direction !== opts.direction) continue;
        yield lp;
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
  for await (const lp of readLocated(sources, opts)) yield lp.pair;
}
