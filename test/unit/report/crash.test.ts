import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { readRun, readResults, listRuns, writeJunitFile } from '../../../src/engine/report/index.js';
import { repoRoot, tmpDir } from './helpers.js';

test('a run killed with SIGKILL leaves a readable folder', async () => {
  const runsDir = await tmpDir();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'kill-child.ts'), runsDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const runDir = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready (.+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${err}`)));
  });
  // Let it write on for a little while (more results, more run.json rewrites), then kill it hard.
  const resultsFile = path.join(runDir, 'results.jsonl');
  const sizeAtReady = (await fsp.stat(resultsFile)).size;
  while ((await fsp.stat(resultsFile)).size < sizeAtReady * 3) await new Promise((r) => setTimeout(r, 10));
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');

  const summary = await readRun(runDir);
  assert.equal(summary.status, 'running');
  assert.equal(summary.verdict, 'running');
  assert.ok(summary.metrics.total >= 500, `live metrics were written: ${summary.metrics.total}`);

  // Every line except possibly the last parses.
  const text = await fsp.readFile(resultsFile, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop()!; // '' when the file ends with a newline, else a torn line
  for (const [i, l] of lines.entries()) assert.doesNotThrow(() => JSON.parse(l), `line ${i + 1}`);
  if (last !== '') assert.throws(() => JSON.parse(last));
  assert.ok(lines.length >= 1500, `lines: ${lines.length}`);
  assert.ok(!text.includes('sekrit'), 'authorization redacted on disk');

  // Add a torn tail on purpose: the reader skips it and reports nothing.
  await fsp.appendFile(resultsFile, last === '' ? '{"pairId":"torn","outc' : '');
  const issues: unknown[] = [];
  let n = 0;
  const seqs = new Set<number>();
  for await (const r of readResults(runDir, { onIssue: (i) => issues.push(i) })) {
    n++;
    seqs.add(r.seq);
  }
  assert.equal(n, lines.length);
  assert.equal(seqs.size, n, 'no duplicated results');
  assert.deepEqual(issues, []);

  // The folder is listed, and junit can still be written from it.
  const runs = await listRuns(runsDir);
  assert.equal(runs.length, 1);
  await writeJunitFile(path.join(runDir, 'junit.xml'), summary, resultsFile);
  const xml = await fsp.readFile(path.join(runDir, 'junit.xml'), 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, n);
});
