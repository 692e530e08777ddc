// npm run demo: start the example orders service, replay its recorded traffic against it with the
// payment API mocked by Reprise, print the summary, and exit with reprise's exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'orders');
const PORT = process.env.ORDERS_PORT ?? '8080';
const MOCK_PORT = process.env.PAYMENT_MOCK_PORT ?? '8081';

const service = spawn(process.execPath, [join(example, 'server.mjs')], {
  env: { ...process.env, PORT, PAYMENT_API_URL: `http://127.0.0.1:${MOCK_PORT}` },
  stdio: ['ignore', 'inherit', 'inherit'],
});
let serviceExited = false;
service.on('exit', () => (serviceExited = true));

async function waitHealthy() {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (serviceExited) throw new Error('the example service exited before it became ready');
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/health`);
      if (r.ok) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`the example service did not answer http://127.0.0.1:${PORT}/health within 15 s`);
}

let code = 3;
try {
  await waitHealthy();
  const args = [join(root, 'dist', 'cli.js'), 'run', '--config', join(example, 'reprise.yaml'), '--target', `http://127.0.0.1:${PORT}`, ...process.argv.slice(2)];
  code = await new Promise((res) => {
    const cli = spawn(process.execPath, args, { stdio: 'inherit', cwd: example });
    cli.on('exit', (c) => res(c ?? 3));
  });
} catch (e) {
  console.error(`demo: ${e.message}`);
} finally {
  service.kill('SIGTERM');
}
process.exit(code);
