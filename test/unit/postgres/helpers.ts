/**
 * Test helpers for the Postgres mock: a throwaway PostgreSQL cluster (initdb in a temp folder, trust auth,
 * a free loopback port; run as the `postgres` user when the tests run as root, since initdb refuses root),
 * and psql.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export function pgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export const psqlPath = ['/usr/bin/psql', '/usr/local/bin/psql'].find((p) => existsSync(p));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RealPostgres {
  port: number;
  url: string;
  stop(): Promise<void>;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function cmd(bin: string, args: string[]): [string, string[]] {
  // setpriv execs the command itself (no wrapper process), so signals reach postgres directly.
  return asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]] : [bin, args];
}

/** Start a throwaway cluster (about 2 s); `stop()` stops it and removes its folder. */
export async function startRealPostgres(): Promise<RealPostgres> {
  const bin = pgBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-pg-'));
  if (asRoot) await run('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  await run(...cmd(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']));
  const port = await freePort();
  const child = spawn(...cmd(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']), {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  // ready when it accepts connections and answers a query
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${log}`);
    try {
      if (psqlPath) await run(psqlPath, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atc', 'select 1']);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`postgres not ready: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** psql -Atc against a URL; resolves with stdout, rejects with stderr. */
export async function psql(url: string, sql: string, extra: string[] = []): Promise<string> {
  const { stdout } = await run(psqlPath!, [url, '-X', '-At', '-v', 'ON_ERROR_STOP=1', ...extra, '-c', sql], { env: { ...process.env, PGSSLMODE: 'prefer', PGCONNECT_TIMEOUT: '5' } });
  return stdout;
}
