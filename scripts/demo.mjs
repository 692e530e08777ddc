// npm run demo: replay the example orders service's recorded traffic against it with the payment API mocked.
// Reprise starts the service itself (the `sut:` section of examples/orders/reprise.yaml), waits until it is
// ready, replays, stops it, prints the summary and exits with reprise's exit code.
// ORDERS_REGRESSION / ORDERS_DRIFT pass through to the service; ORDERS_PORT picks another port for it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples', 'orders');
const args = [join(root, 'dist', 'cli.js'), 'run', '--config', join(example, 'reprise.yaml')];
if (process.env.ORDERS_PORT) args.push('--target', `http://127.0.0.1:${process.env.ORDERS_PORT}`);
args.push(...process.argv.slice(2));

const cli = spawn(process.execPath, args, { stdio: 'inherit', cwd: example });
// Ctrl-C reaches the CLI too (same process group): it stops the service and exits; just wait for it.
const ignore = () => {};
process.on('SIGINT', ignore);
process.on('SIGTERM', () => cli.kill('SIGTERM'));
cli.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 3)));
