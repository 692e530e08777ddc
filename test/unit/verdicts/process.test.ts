// The service under test as a process group: started, logged, stopped — real processes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { ServiceProcess, waitReady, ReadyError, ResourceSampler, parseProcStat, treeOf } from '../../../src/engine/sut/index.js';
import { compileLogPattern } from '../../../src/engine/config/schema.js';
import { tmpDir, assertGone, liveGroupMembers, repoRoot } from './helpers.js';

const linux = process.platform === 'linux';
const node = JSON.stringify(process.execPath);

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ServiceProcess', { skip: process.platform === 'win32' ? 'process groups are POSIX' : false }, () => {
  test('output goes to the log file; error lines are counted by the pattern', async () => {
    const dir = await tmpDir();
    const log = path.join(dir, 'sut.log');
    const p = ServiceProcess.start({
      command: `echo starting; echo "ERROR: db down" >&2; echo "no errors here"; echo "panic: oops"; echo Terrorist`,
      cwd: dir,
      env: process.env,
      logFile: log,
      errorPattern: compileLogPattern('\\b(error|exception|panic|fatal)\\b')!,
    });
    const exit = await p.exited;
    assert.equal(exit.code, 0);
    await p.stop(1000);
    const text = await fsp.readFile(log, 'utf8');
    assert.match(text, /starting/);
    assert.match(text, /ERROR: db down/);
    // "ERROR: db down" and "panic: oops"; "no errors here" has "errors" (not the word error), "Terrorist" no word boundary
    assert.equal(p.errorLines(), 2);
    assert.equal(p.outputLines(), 5);
  });

  test('stop: SIGTERM stops the whole group, grandchildren included', async () => {
    const p = ServiceProcess.start({ command: 'sleep 30 & sleep 31 & wait', cwd: repoRoot, env: process.env });
    if (linux) await until(() => liveGroupMembers(p.pid).length >= 3);
    assert.ok(p.alive());
    const r = await p.stop(3000);
    assert.equal(r.how, 'SIGTERM');
    assert.equal(r.survivors, 0);
    assert.equal(p.alive(), false);
    assertGone(p.pid);
  });

  test("a service that ignores SIGTERM (trap '' TERM) is SIGKILLed after the stop timeout", async () => {
    const p = ServiceProcess.start({ command: "trap '' TERM; sleep 1000", cwd: repoRoot, env: process.env });
    if (linux) await until(() => liveGroupMembers(p.pid).length >= 2);
    const r = await p.stop(300);
    assert.equal(r.how, 'SIGKILL');
    assert.equal(r.survivors, 0);
    assertGone(p.pid);
    const again = await p.stop(300);
    assert.equal(again, r, 'stop is idempotent');
  });

  test('a service that already exited: stop reports it and does nothing', async () => {
    const p = ServiceProcess.start({ command: 'exit 4', cwd: repoRoot, env: process.env });
    assert.equal((await p.exited).code, 4);
    const r = await p.stop(1000);
    assert.equal(r.how, 'none');
    assert.equal(r.exit?.code, 4);
  });

  test('if Reprise exits while the service runs, the exit hook kills its group (no orphan)', async () => {
    const dir = await tmpDir();
    const script = path.join(dir, 'parent.ts');
    const mod = path.join(repoRoot, 'src/engine/sut/process.ts');
    await fsp.writeFile(
      script,
      `import { ServiceProcess } from ${JSON.stringify(mod)};
const p = ServiceProcess.start({ command: 'sleep 1000 & sleep 1001', cwd: ${JSON.stringify(dir)}, env: process.env });
console.log(p.pid);
setTimeout(() => process.exit(0), 300);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 0);
    const pid = Number(out.trim());
    assert.ok(pid > 0, `no pid printed: ${out}`);
    // The parent is gone; its group was SIGKILLed synchronously on exit.
    if (linux) await until(() => liveGroupMembers(pid).length === 0, 3000).catch(() => undefined);
    if (linux) assert.deepEqual(liveGroupMembers(pid), [], 'processes of the service survived Reprise');
  });
});

describe('readiness', () => {
  test('polls until 2xx, then requires it to hold for stable_for (a failure resets the clock)', async () => {
    const answers = [503, 503, 200, 500, 200, 200, 200, 200, 200, 200, 200, 200];
    let i = 0;
    const server = http.createServer((_, res) => {
      res.statusCode = answers[Math.min(i++, answers.length - 1)];
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
      const r = await waitReady({ url, timeout: 10_000, stable_for: 60, interval: 20, what: 'the service' });
      assert.ok(i >= 6, `ready only after the 500 and a stable run of 2xx; polled ${i} times`);
      assert.equal(r.attempts, i);
    } finally {
      server.close();
    }
  });

  test('gives up after the timeout naming the URL and the last answer', async () => {
    const server = http.createServer((_, res) => {
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
      await assert.rejects(waitReady({ url, timeout: 200, interval: 30, what: 'the service' }), (e: Error) => {
        assert.ok(e instanceof ReadyError);
        assert.match(e.message, /the service was not ready after 200ms: last check GET http:\/\/127\.0\.0\.1:\d+\/health → 503/);
        return true;
      });
    } finally {
      server.close();
    }
  });

  test('tcp:// checks a port; a refused port fails with ECONNREFUSED', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await waitReady({ url: `tcp://127.0.0.1:${port}`, timeout: 2000, interval: 20, what: 'dependency db' });
    await new Promise<void>((r) => server.close(() => r()));
    await assert.rejects(waitReady({ url: `tcp://127.0.0.1:${port}`, timeout: 150, interval: 20, what: 'dependency db' }), /dependency db was not ready after 150ms: last check connect 127\.0\.0\.1:\d+ → ECONNREFUSED/);
  });

  test('a process that exits first ends the wait with its exit code and last output', async () => {
    const p = ServiceProcess.start({ command: `echo "listening soon"; echo "Error: EADDRINUSE" >&2; exit 7`, cwd: repoRoot, env: process.env });
    await assert.rejects(
      waitReady({ url: 'tcp://127.0.0.1:9', timeout: 10_000, interval: 50, process: p, what: 'the service' }),
      (e: Error) => {
        assert.match(e.message, /the service exited with code 7 before it became ready; its last output:/);
        assert.match(e.message, /EADDRINUSE/);
        return true;
      },
    );
    await p.stop(500);
  });

  test('the abort signal ends the wait at once', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(waitReady({ url: 'tcp://127.0.0.1:9', timeout: 30_000, interval: 1000, signal: ac.signal, what: 'the service' }), /cancelled/);
  });
});

describe('resources', { skip: linux ? false : 'needs /proc' }, () => {
  test('parses /proc/<pid>/stat, also with spaces and parentheses in the name', () => {
    const line = '4242 (my (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 3 0 123456 1000000 2500 18446744073709551615';
    const p = parseProcStat(line)!;
    assert.deepEqual(p, { pid: 4242, state: 'S', ppid: 1, pgrp: 4242, ticks: 200, start: 123456, rssPages: 2500 });
  });

  test('the tree is the group plus descendants of the root, without zombies', () => {
    const mk = (pid: number, ppid: number, pgrp: number, state = 'S') => ({ pid, ppid, pgrp, state, ticks: 0, start: pid, rssPages: 1 });
    const procs = [mk(10, 1, 10), mk(11, 10, 10), mk(12, 11, 99), mk(13, 1, 10, 'Z'), mk(14, 1, 14), mk(15, 14, 14)];
    assert.deepEqual(treeOf(procs, 10, 10).map((p) => p.pid), [10, 11, 12]);
  });

  test('samples the CPU and memory of a busy process tree', async () => {
    const burn = `${node} -e "const a=[];for(let i=0;i<2e5;i++)a.push({i});const e=Date.now()+400;while(Date.now()<e);setTimeout(()=>{},5000)"`;
    const p = ServiceProcess.start({ command: burn, cwd: repoRoot, env: process.env });
    const s = new ResourceSampler(p.pid, { intervalMs: 50 });
    await s.start();
    await new Promise((r) => setTimeout(r, 600));
    const u = await s.stop();
    await p.stop(1000);
    assert.ok(u, 'no usage');
    assert.ok(u.samples >= 2);
    assert.ok(u.cpu_avg > 0, `cpu_avg ${u.cpu_avg}`);
    assert.ok(u.mem_peak > 1024 * 1024, `mem_peak ${u.mem_peak}`);
    assert.ok(u.processes >= 1);
  });
});
