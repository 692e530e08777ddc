// npm run test:vscode — runs the integration tests (test/integration/*.test.ts) inside a real VS Code
// extension host: code-server + Debian's chromium (see /work/shared/docs/vscode-offline-testing.md).
// Needs `npm run vscode:tools` (once per machine) and `npm run build` (dist/extension.js).
// Options: --workspace <folder> (fixture workspace to copy; default test/fixtures/workspace), --keep (keep
// the scratch folder), --grep <text> (only tests whose title contains it; passed via REPRISE_TEST_GREP),
// --untrusted (workspace trust on and the folder left untrusted — Restricted Mode — running only the
// test/integration/trust*.test.ts files; without it those files are left out).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import {
  findTools, requireBuild, makeScratch, startCodeServer, launchBrowser, workbenchUrl, repoRoot, resultsDir,
  log, tail, withTimeout, compileIntegrationTests,
} from './lib.mjs';

const TIMEOUT_MS = 10 * 60 * 1000;
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const workspaceFixture = path.resolve(repoRoot, opt('--workspace') ?? 'test/fixtures/workspace');
const keep = argv.includes('--keep');
if (opt('--grep')) process.env.REPRISE_TEST_GREP = opt('--grep');
const untrusted = argv.includes('--untrusted');
// Read by the tests' index inside the extension host (code-server passes its environment on).
if (untrusted) process.env.REPRISE_TEST_UNTRUSTED = '1';
else delete process.env.REPRISE_TEST_UNTRUSTED;

async function main() {
  const t0 = Date.now();
  const tools = findTools();
  requireBuild();
  const scratch = await makeScratch(workspaceFixture, { keep });
  // Compiled into this run's scratch folder: concurrent runs on one checkout do not collide.
  const testsIndex = await compileIntegrationTests(path.join(scratch.root, 'integration-tests')).catch(async (e) => {
    await scratch.dispose(false);
    throw e;
  });
  fs.mkdirSync(resultsDir, { recursive: true });
  let server;
  let browser;
  let code = 1;
  try {
    if (untrusted) {
      // Trust on, no startup prompt: the folder stays untrusted (Restricted Mode).
      const settingsFile = path.join(scratch.userData, 'User', 'settings.json');
      const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
      settings['security.workspace.trust.enabled'] = true;
      settings['security.workspace.trust.startupPrompt'] = 'never';
      settings['security.workspace.trust.emptyWindow'] = false;
      fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    }
    server = await startCodeServer(tools, scratch, { smokeTestDriver: true, trust: untrusted });
    browser = await launchBrowser(tools, scratch);
    const page = browser.pages()[0] ?? (await browser.newPage());

    let settle;
    const exitCode = new Promise((resolve) => (settle = resolve));
    // Both must exist before the workbench loads: it looks for them when the tests end / log.
    await page.exposeFunction('codeAutomationExit', (c) => settle(Number(c)));
    await page.exposeFunction('codeAutomationLog', (level, args) => printHostLog(level, args));
    page.on('pageerror', (err) => log(`page error: ${err.message}`));

    const url = workbenchUrl(server, scratch.workspace, {
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsIndex,
    });
    log(`opening workbench on ${scratch.workspace}`);
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    log('workbench up; waiting for the extension host tests');
    code = await withTimeout(exitCode, TIMEOUT_MS, 'integration tests');
    await page.screenshot({ path: path.join(resultsDir, 'integration-final.png') }).catch(() => {});
    log(`tests exited with code ${code}; screenshot test-results/integration-final.png`);
  } catch (e) {
    code = code || 1;
    if (code === 0) code = 1;
    log(`ERROR: ${e.message}`);
    if (browser) {
      const page = browser.pages()[0];
      await page?.screenshot({ path: path.join(resultsDir, 'integration-final.png') }).catch(() => {});
    }
    log(`code-server log tail:\n${tail(scratch.serverLog, 40)}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await scratch.dispose(code !== 0);
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  process.exit(code);
}

// Workbench chatter with no bearing on the tests.
const NOISE = ['Ignoring fetching additional builtin extensions from gallery as it is disabled.'];

function printHostLog(level, args) {
  if (process.env.REPRISE_RAW_HOST_LOG) process.stdout.write(`RAW ${level} ${JSON.stringify(args)}\n`);
  // The host sends console arguments as given (mocha's reporter uses printf-style '%s' formats).
  const text = format(...(Array.isArray(args) ? args : [args])).replace(/\s+$/, '');
  if (!text || NOISE.some((n) => text.startsWith(n))) return;
  const prefix = level === 'error' ? '[host:error] ' : level === 'warn' ? '[host:warn] ' : '';
  for (const line of text.split('\n')) process.stdout.write(`${prefix}${line}\n`);
}

main().catch((e) => {
  log(`ERROR: ${e.stack ?? e}`);
  process.exit(1);
});
