import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PairInput, SourceIssue, Pair } from '../../../src/engine/store/model.js';

export async function tmpDir(prefix = 'reprise-store-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export function makePair(i: number, over: Partial<PairInput> = {}): PairInput {
  return {
    id: `p${i}`,
    session: `s${i % 3}`,
    seq: i,
    ts: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    direction: 'in',
    request: { method: 'GET', url: `/orders/${1000 + i}?x=${i}`, headers: { accept: 'application/json' } },
    response: { status: i % 5 === 0 ? 404 : 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1000 + i }) },
    duration: 5 + i,
    ...over,
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function issueSink(): { issues: SourceIssue[]; onIssue: (i: SourceIssue) => void } {
  const issues: SourceIssue[] = [];
  return { issues, onIssue: (i) => issues.push(i) };
}

export const repoRoot = path.resolve(__dirname, '../../..');
export const fixturesRoot = path.resolve(repoRoot, '../shared/fixtures');

export type { Pair };
