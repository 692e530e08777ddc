/**
 * Native pairs → WireMock mapping folders (`mappings/*.json` + `__files/`), loadable by WireMock itself,
 * by a Reprise mock's `stubs:` folder and as a `traffic:` source again.
 *
 * Pairs become stubs exactly as mocks build them from traffic (stubsFromTraffic: method + exact path +
 * every recorded query parameter + the body), and stubs become mappings with toWireMockMappings:
 * identical requests recorded several times become a scenario answering in recorded order. Response bodies
 * larger than `bodyFileThreshold` bytes go to `__files/` (`bodyFileName`), smaller ones stay inline.
 *
 * One service: the mappings go straight under `dir`. Several: one WireMock root per service,
 * `<dir>/<service>/`. Secret headers are masked by default (see ExportOptions).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Pair, SourceIssue } from '../model.js';
import { bodyBytes, headerValue, splitUrl } from '../model.js';
import { hostWithoutPort } from '../http-util.js';
import { stubsFromTraffic } from '../../mocks/from-traffic.js';
import { toWireMockMappings } from '../../mocks/wiremock.js';
import { eachPair, redactPair, type ExportOptions } from './common.js';

export interface WireMockExportOptions extends ExportOptions {
  /** Response bodies larger than this (bytes) are written to `__files/`. Default 1024. */
  bodyFileThreshold?: number;
  /** Put every pair under this service (one root) instead of grouping by pair service / Host header. */
  service?: string;
}

export interface WireMockExportRoot {
  service: string;
  /** The WireMock root folder (holds `mappings/` and `__files/`). */
  dir: string;
  mappings: number;
  /** Bodies written to `__files/`. */
  bodyFiles: number;
  /** Mappings that belong to a scenario (repeated identical requests). */
  inScenarios: number;
}

export interface WireMockExportResult {
  roots: WireMockExportRoot[];
  /** Pairs read. */
  pairs: number;
  /** Pairs not exported (no recorded response), each also an info issue. */
  skipped: number;
  issues: SourceIssue[];
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';

function serviceOf(p: Pair, opts: WireMockExportOptions): string {
  return opts.service ?? p.service ?? hostWithoutPort(headerValue(p.request.headers, 'host')) ?? hostWithoutPort(p.request.url) ?? 'default';
}

function extFor(contentType: string | undefined, binary: boolean): string {
  const t = (contentType ?? '').toLowerCase();
  if (t.includes('json')) return 'json';
  if (t.includes('html')) return 'html';
  if (t.includes('xml')) return 'xml';
  if (binary) return 'bin';
  return 'txt';
}

/** `GET /repos/a/b?x=1` → `get-repos-a-b`. */
function slug(method: string, url: string): string {
  const p = splitUrl(url).path.replace(/^\/+|\/+$/g, '');
  const s = `${method.toLowerCase()}-${p}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 80) || 'mapping';
}

/** Write pairs as WireMock mapping folders under `dir`. */
export async function exportWireMock(
  pairs: Iterable<Pair> | AsyncIterable<Pair>,
  dir: string,
  opts: WireMockExportOptions = {},
): Promise<WireMockExportResult> {
  const threshold = opts.bodyFileThreshold ?? 1024;
  const groups = new Map<string, Pair[]>();
  let count = 0;
  for await (const p of eachPair(pairs, opts.signal)) {
    count++;
    const s = serviceOf(p, opts);
    const g = groups.get(s);
    const r = redactPair(p, opts);
    if (g) g.push(r);
    else groups.set(s, [r]);
  }
  const result: WireMockExportResult = { roots: [], pairs: count, skipped: 0, issues: [] };
  const multi = groups.size > 1;
  const usedDirs = new Set<string>();
  for (const [service, list] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    opts.signal?.throwIfAborted();
    const { stubs, issues } = await stubsFromTraffic(list, { service, ignore: [] }, { signal: opts.signal });
    const seenIds = new Set<string>();
    stubs.forEach((st, i) => {
      if (st.id === undefined || seenIds.has(st.id)) st.id = `${st.id ?? service}#${i + 1}`; // pair ids repeated across sources
      seenIds.add(st.id);
    });
    for (const i of issues) result.issues.push({ ...i, file: i.file || dir });
    result.skipped += list.length - stubs.length;
    let root = multi ? path.join(dir, safeName(service)) : dir;
    for (let n = 2; usedDirs.has(root); n++) root = path.join(dir, `${safeName(service)}-${n}`);
    usedDirs.add(root);
    const mappingsDir = path.join(root, 'mappings');
    const filesDir = path.join(root, '__files');
    await fsp.mkdir(mappingsDir, { recursive: true });
    const { mappings } = toWireMockMappings(stubs);
    // Files are named in recorded order (so the folder reads back as traffic in that order); the mapping
    // of each stub is found by the stub id toWireMockMappings keeps in metadata.reprise.id.
    const byId = new Map(mappings.map((m) => [(m.metadata as { reprise?: { id?: string } } | undefined)?.reprise?.id, m]));
    const width = String(stubs.length).length;
    let bodyFiles = 0;
    let inScenarios = 0;
    for (let i = 0; i < stubs.length; i++) {
      const stub = stubs[i];
      const m = byId.get(stub.id);
      if (!m) throw new Error(`internal: no WireMock mapping for stub ${stub.id}`);
      const req = m.request as { method?: string; url?: string; urlPath?: string };
      const stem = `${String(i + 1).padStart(width, '0')}-${slug(req.method ?? 'any', req.url ?? req.urlPath ?? '/')}`;
      const res = m.response as Record<string, unknown>;
      const raw = stub.response.body;
      if (raw !== undefined) {
        const bytes = bodyBytes(raw, stub.response.bodyEncoding);
        if (bytes.length > threshold) {
          const ct = headerValue(stub.response.headers, 'content-type');
          const name = `${stem}.${extFor(ct, stub.response.bodyEncoding === 'base64')}`;
          await fsp.mkdir(filesDir, { recursive: true });
          await fsp.writeFile(path.join(filesDir, name), bytes);
          delete res.body;
          delete res.base64Body;
          res.bodyFileName = name;
          bodyFiles++;
        }
      }
      if (m.scenarioName) inScenarios++;
      await fsp.writeFile(path.join(mappingsDir, `${stem}.json`), JSON.stringify(m, null, 2) + '\n');
    }
    result.roots.push({ service, dir: root, mappings: stubs.length, bodyFiles, inScenarios });
  }
  return result;
}
