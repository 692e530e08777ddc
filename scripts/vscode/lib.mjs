// Shared pieces of the real-VS-Code runners (run.mjs: integration tests in the extension host; e2e.mjs: UI
// driven through a browser): find the tools install-tools.sh put in the tool folder, make a scratch folder,
// start code-server in its own process group, open the workbench in Debian's chromium via playwright-core.
import { spawn } from 'node:child_process';
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const resultsDir = path.join(repoRoot, 'test-results');

export function log(msg) {
  process.stdout.write(`[vscode] ${msg}\n`);
}

/** Paths of Node 24, code-server and chromium, as install-tools.sh recorded them. */
export function findTools() {
  const dir = process.env.REPRISE_TOOLS || path.join(os.homedir(), '.cache', 'reprise-tools');
  const manifest = path.join(dir, 'reprise-tools.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(`no VS Code test tools in ${dir}: run \`npm run vscode:tools\` (bash scripts/vscode/install-tools.sh) first`);
  }
  const tools = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  for (const key of ['node', 'codeServerEntry', 'chromium']) {
    if (!fs.existsSync(tools[key])) throw new Error(`${key} missing at ${tools[key]}: re-run \`npm run vscode:tools\``);
  }
  return tools;
}

export function requireBuild() {
  const main = path.join(repoRoot, 'dist', 'extension.js');
  if (!fs.existsSync(main)) throw new Error(`${main} missing: run \`npm run build\` first`);
}

/** Free loopback TCP port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * A scratch folder with user-data (quiet settings), extensions, XDG dirs, TMPDIR and a copy of the fixture
 * workspace. Returns its paths; remove with `dispose()`.
 */
export async function makeScratch(workspaceFixture, { keep = false } = {}) {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'reprise-vscode-'));
  const p = {
    root,
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    xdgConfig: path.join(root, 'xdg', 'config'),
    xdgData: path.join(root, 'xdg', 'data'),
    xdgCache: path.join(root, 'xdg', 'cache'),
    tmp: path.join(root, 'tmp'),
    browser: path.join(root, 'browser'),
    workspace: path.join(root, 'workspace'),
    serverLog: path.join(root, 'code-server.log'),
  };
  for (const d of [p.userData, p.extensions, p.xdgConfig, p.xdgData, p.xdgCache, p.tmp, p.browser]) {
    await fsp.mkdir(d, { recursive: true });
  }
  await fsp.mkdir(path.join(p.userData, 'User'), { recursive: true });
  await fsp.writeFile(path.join(p.userData, 'User', 'settings.json'), JSON.stringify(QUIET_SETTINGS, null, 2));
  await fsp.cp(workspaceFixture, p.workspace, { recursive: true });
  p.dispose = async (failed) => {
    if (keep || (failed && process.env.CI !== 'true')) {
      log(`scratch kept: ${root}`);
      return;
    }
    await fsp.rm(root, { recursive: true, force: true, maxRetries: 3 });
  };
  return p;
}

export function scratchEnv(tools, scratch) {
  const env = { ...process.env };
  // The Node this script runs on may be 20: code-server gets Node 24 first on PATH.
  env.PATH = `${path.dirname(tools.node)}${path.delimiter}${env.PATH}`;
  env.XDG_CONFIG_HOME = scratch.xdgConfig;
  env.XDG_DATA_HOME = scratch.xdgData;
  env.XDG_CACHE_HOME = scratch.xdgCache;
  env.TMPDIR = scratch.tmp;
  // No extension gallery: this machine reaches no marketplace, and a gallery without a service URL stays
  // disabled instead of failing DNS look-ups (and logging them) during the tests.
  env.EXTENSIONS_GALLERY = '{}';
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

function commonArgs(scratch) {
  return ['--disable-telemetry', '--disable-update-check', '--extensions-dir', scratch.extensions, '--user-data-dir', scratch.userData];
}

/** Runs code-server's CLI once (e.g. --install-extension) and waits for it. */
export function codeServerCli(tools, scratch, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(tools.node, [tools.codeServerEntry, ...commonArgs(scratch), ...args], {
      env: scratchEnv(tools, scratch),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/**
 * Starts code-server on 127.0.0.1:<free port> in its own process group and waits for /healthz.
 * Returns { port, url, stop() }; stop() kills the whole group (always call it).
 */
export async function startCodeServer(tools, scratch, { smokeTestDriver = true, trust = false } = {}) {
  const port = await freePort();
  const args = [
    tools.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-getting-started-override',
    ...commonArgs(scratch),
  ];
  if (!trust) args.push('--disable-workspace-trust');
  if (smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(scratch.workspace);
  const logFd = fs.openSync(scratch.serverLog, 'a');
  const child = spawn(tools.node, args, {
    env: scratchEnv(tools, scratch),
    stdio: ['ignore', logFd, logFd],
    detached: true, // own process group: setsid; stop() kills the group
  });
  fs.closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* group already gone */
      }
    };
    kill('SIGTERM');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && groupAlive(child.pid)) await sleep(100);
    if (groupAlive(child.pid)) kill('SIGKILL');
  };
  // Last resort if this process dies without running its finally blocks.
  const onExit = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', onExit);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      onExit();
      process.exit(130);
    });
  }

  const started = Date.now();
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}); log:\n${tail(scratch.serverLog)}`);
      if (await healthy(`${url}/healthz`)) break;
      if (Date.now() - started > 60_000) throw new Error(`code-server not healthy after 60s; log:\n${tail(scratch.serverLog)}`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  log(`code-server ${tools.codeServerVersion} ready on ${url} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return { port, url, pid: child.pid, stop };
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function healthy(u) {
  return new Promise((resolve) => {
    const req = http.get(u, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

export function tail(file, lines = 60) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Without a zygote, chromium's helpers stay children of the browser process and are reaped when it
  // closes (with one, they are orphaned to PID 1 and linger as zombies where PID 1 does not reap).
  '--no-zygote',
];

/** Debian's chromium through playwright-core, with a fresh profile in the scratch folder. */
export async function launchBrowser(tools, scratch) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(scratch.browser, {
    executablePath: tools.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    env: { ...process.env, TMPDIR: scratch.tmp, XDG_CONFIG_HOME: scratch.xdgConfig, XDG_CACHE_HOME: scratch.xdgCache },
  });
  return context;
}

/** The workbench URL for a folder, with an optional extension-development payload. */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const authority = `vscode-remote://127.0.0.1:${server.port}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', authority + extensionDevelopmentPath]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', authority + extensionTestsPath]);
  let u = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length) u += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return u;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)}s`)), ms);
    }),
  ]);
}

/** An esbuild plugin leaving these packages external, required by their resolved path in this checkout. */
function externalByAbsolutePath(names) {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const filter = new RegExp(`^(${names.join('|')})$`); // plain package names
  return {
    name: 'external-by-absolute-path',
    setup(build) {
      build.onResolve({ filter }, (args) => ({ path: require.resolve(args.path), external: true }));
    },
  };
}

// Compiles test/integration/**/*.ts to <outdir>/*.js (CJS; vscode and mocha stay external) and returns the
// path of the compiled index.js. `outdir` belongs to this run (the runners pass a folder in their scratch
// folder), so two runs at once — two engineers on one checkout — do not delete each other's tests.
export async function compileIntegrationTests(outdir) {
  if (!outdir) throw new Error('compileIntegrationTests: give it a folder of this run (e.g. in the scratch folder)');
  fs.rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'test/integration/**/*.ts')],
    outbase: path.join(repoRoot, 'test/integration'),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    // mocha stays out of the bundle but is required by its absolute path: the compiled tests sit outside the
    // repository, where a bare `require('mocha')` would not find node_modules.
    plugins: [externalByAbsolutePath(['mocha'])],
    logLevel: 'warning',
  });
  return path.join(outdir, 'index.js');
}
