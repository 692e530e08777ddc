import { mkdtemp, cp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main.js';

export const repoRoot = resolve(__dirname, '../../..');
export const exampleDir = join(repoRoot, 'examples/orders');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const code = await main(args, { out, err, env: { NO_COLOR: '1', ...env }, cwd });
  return { code, out: o, err: e };
}

/** A copy of the example project in a temp folder, with its ports rewritten. */
export async function exampleCopy(targetPort: number, mockPort: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reprise-cli-'));
  await cp(join(exampleDir, 'traffic'), join(dir, 'traffic'), { recursive: true });
  const { readFile } = await import('node:fs/promises');
  let yaml = await readFile(join(exampleDir, 'reprise.yaml'), 'utf8');
  yaml = yaml.replace(/^target: .*$/m, `target: http://127.0.0.1:${targetPort}`).replace(/port: 8081/, `port: ${mockPort}`);
  // Keep only the keys this test needs: a `sut:` block (if any) is dropped; the test starts the service itself.
  yaml = yaml.replace(/^sut:[\s\S]*?(?=^\S)/m, '');
  await writeFile(join(dir, 'reprise.yaml'), yaml);
  return dir;
}
