/**
 * CodeLens plan for reprise.yaml: "Run replay" on the first line, traffic counts above `traffic:` and mock
 * counts above `mocks:`. Works on a config with errors too (what can be read is shown). No vscode.
 */
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, LineCounter, type Pair } from 'yaml';
import type { StoreIndex } from '../../engine/store/index-store.js';

export interface LensPlan {
  /** 0-based line of the "Run replay" lens (the first line with content). */
  runLine: number;
  traffic?: { line: number; sources: string[] };
  mocks?: { line: number; mocks: { service: string; sources: string[] }[] };
}

const list = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];

export function lensPlan(text: string, file: string): LensPlan {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, strict: false });
  const root = path.dirname(path.resolve(file));
  const abs = (p: string) => path.resolve(root, p);
  const firstContent = text.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const plan: LensPlan = { runLine: Math.max(0, firstContent) };
  const contents = doc.contents;
  if (!isMap(contents)) return plan;
  let traffic: string[] = [];
  for (const p of contents.items as Pair[]) {
    if (!isScalar(p.key) || !p.key.range) continue;
    const line = lc.linePos(p.key.range[0]).line - 1;
    const k = String(p.key.value);
    if (k === 'traffic') {
      traffic = list(toJs(p.value)).map(abs);
      plan.traffic = { line, sources: traffic };
    } else if (k === 'mocks') {
      const mocks: { service: string; sources: string[] }[] = [];
      if (isSeq(p.value)) {
        for (const m of p.value.items) {
          const js = toJs(m) as { service?: unknown; traffic?: unknown } | undefined;
          if (!js || typeof js !== 'object') continue;
          mocks.push({ service: typeof js.service === 'string' ? js.service : '', sources: list(js.traffic).map(abs) });
        }
      }
      plan.mocks = { line, mocks };
    }
  }
  // mocks without their own traffic read the run's traffic
  if (plan.mocks) for (const m of plan.mocks.mocks) if (m.sources.length === 0) m.sources = traffic;
  return plan;
}

function toJs(node: unknown): unknown {
  return node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 sources · 12 sessions · 240 pairs" (+ " · 2 problems" when reading reported errors). */
export function trafficLensTitle(sources: number, index: StoreIndex): string {
  const parts = [plural(sources, 'source'), plural(index.sessions.length, 'session'), plural(index.total, 'pair')];
  const problems = index.issues.filter((i) => i.severity === 'error').length + (index.issuesDropped ?? 0);
  if (problems) parts.push(plural(problems, 'problem'));
  return parts.join(' · ');
}

/** "2 mocks · 38 recorded calls" (+ " · none recorded for users"). */
export function mocksLensTitle(mocks: { service: string }[], calls: Map<string, number>): string {
  const total = mocks.reduce((n, m) => n + (calls.get(m.service) ?? 0), 0);
  const parts = [plural(mocks.length, 'mock'), plural(total, 'recorded call')];
  const none = mocks.filter((m) => m.service && !calls.get(m.service)).map((m) => m.service);
  if (none.length) parts.push(`none recorded for ${none.join(', ')}`);
  return parts.join(' · ');
}

/** Outbound calls per service over the sources each mock reads. */
export function callsPerService(indexes: { service: string; index: StoreIndex }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { service, index } of indexes) {
    const n = index.services.find((s) => s.service === service)?.count ?? 0;
    out.set(service, Math.max(out.get(service) ?? 0, n));
  }
  return out;
}
