import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { readRun, readResults, listRuns, writeJunitFile, RunWriter, parseRunSummary } from '../../../src/engine/report/index.js';
import { cli } from '../cli/helpers.js';
import { repoRoot, tmpDir } from './helpers.js';

test('a run killed with SIGKILL leaves a readable folder, read as aborted with the time it was last written', async () => {
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
  // While its process lives the run is running, and run.json names that process.
  const live = await readRun(runDir);
  assert.equal(live.status, 'running');
  assert.equal(live.orphaned, undefined);
  assert.deepEqual([live.writer?.pid, live.writer?.host], [child.pid, hostname()]);
  const sizeAtReady = (await fsp.stat(resultsFile)).size;
  while ((await fsp.stat(resultsFile)).size < sizeAtReady * 3) await new Promise((r) => setTimeout(r, 10));
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');

  // run.json on disk still says running (nothing rewrote it)…
  const onDisk = parseRunSummary(await fsp.readFile(path.join(runDir, 'run.json'), 'utf8'), 'run.json');
  assert.equal(onDisk.status, 'running');
  // …but its process is gone, so it reads as aborted, ended when the folder was last written.
  const summary = await readRun(runDir);
  assert.equal(summary.status, 'aborted');
  assert.equal(summary.verdict, 'aborted');
  const lastWritten = async () =>
    new Date(Math.max(...(await Promise.all(['run.json', 'results.jsonl'].map(async (f) => (await fsp.stat(path.join(runDir, f))).mtimeMs))))).toISOString();
  assert.equal(summary.orphaned?.lastWrittenAt, await lastWritten());
  assert.equal(summary.endedAt, summary.orphaned?.lastWrittenAt);
  assert.equal(summary.abortReason, `its process (pid ${child.pid}) is gone; last written ${summary.orphaned?.lastWrittenAt}`);
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
  assert.equal(runs[0].status, 'aborted');
  assert.equal(runs[0].orphaned?.lastWrittenAt, await lastWritten(), 'the torn tail appended above counts as a write');
  // `reprise runs` lists it as aborted, with the time it was last written.
  const listed = await cli(['runs', '--runs-dir', runsDir], runsDir);
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, new RegExp(`^${path.basename(runDir)}  aborted .* \\(its process \\(pid ${child.pid}\\) is gone; last written ${runs[0].orphaned?.lastWrittenAt}\\)\n$`));
  await writeJunitFile(path.join(runDir, 'junit.xml'), summary, resultsFile);
  const xml = await fsp.readFile(path.join(runDir, 'junit.xml'), 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, n);
});

test('a running run is left running when its writer is alive, on another host, or not recorded', async () => {
  const runsDir = await tmpDir();
  const w = await RunWriter.create(runsDir, { target: 'http://127.0.0.1:1', traffic: [] });
  try {
    const mine = await readRun(w.dir);
    assert.equal(mine.status, 'running');
    assert.equal(mine.writer?.pid, process.pid);
    // A dead pid on another host is not ours to judge: still running.
    const file = path.join(w.dir, 'run.json');
    const raw = JSON.parse(await fsp.readFile(file, 'utf8'));
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    await fsp.writeFile(file, JSON.stringify({ ...raw, writer: { ...raw.writer, pid: dead.pid, host: `not-${hostname()}` } }));
    assert.equal((await readRun(w.dir)).status, 'running');
    // The same dead pid on this host: aborted.
    await fsp.writeFile(file, JSON.stringify({ ...raw, writer: { ...raw.writer, pid: dead.pid } }));
    assert.equal((await readRun(w.dir)).status, 'aborted');
    // A run.json from before writers were recorded: as written.
    const { writer: _writer, ...old } = raw;
    await fsp.writeFile(file, JSON.stringify(old));
    assert.equal((await readRun(w.dir)).status, 'running');
    await fsp.writeFile(file, JSON.stringify(raw));
  } finally {
    await w.finish();
  }
  const done = await readRun(w.dir);
  assert.equal(done.status, 'completed');
  assert.equal(done.writer?.pid, process.pid, 'the final run.json keeps its writer');
});
