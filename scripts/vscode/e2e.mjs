// npm run test:e2e — drives the Reprise UI in a real VS Code (code-server) through Debian's chromium and
// saves screenshots to test-results/. Runs every test/e2e/*.spec.mjs (or those whose name contains --grep).
//
// Which extension is under test:
//   - a packaged .vsix when there is one (--vsix <file>, REPRISE_VSIX, or the newest *.vsix in the repo root):
//     installed offline with `code-server --install-extension`, workbench opened without a payload;
//   - otherwise the development folder (needs `npm run build`), loaded through the extensionDevelopmentPath
//     payload (as the integration tests do, but without extensionTestsPath).
//
// A spec module exports `title` and a default async function ({ page, screenshot, workspace, log }).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  findTools, requireBuild, makeScratch, startCodeServer, launchBrowser, workbenchUrl, codeServerCli, repoRoot,
  resultsDir, log, tail, withTimeout,
} from './lib.mjs';

const SPEC_TIMEOUT_MS = 3 * 60 * 1000;
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const workspaceFixture = path.resolve(repoRoot, opt('--workspace') ?? 'test/fixtures/workspace');
const grep = opt('--grep');
const keep = argv.includes('--keep');

function findVsix() {
  const explicit = opt('--vsix') ?? process.env.REPRISE_VSIX;
  if (explicit) {
    const p = path.resolve(explicit);
    if (!fs.existsSync(p)) throw new Error(`vsix not found: ${p}`);
    return p;
  }
  const found = fs
    .readdirSync(repoRoot)
    .filter((f) => f.endsWith('.vsix'))
    .map((f) => path.join(repoRoot, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  const dist = path.join(repoRoot, 'dist', 'extension.js');
  if (found[0] && fs.existsSync(dist) && fs.statSync(found[0]).mtimeMs < fs.statSync(dist).mtimeMs) {
    log(`WARNING: ${path.basename(found[0])} is older than dist/extension.js: run \`npm run package\` to test the current code`);
  }
  return found[0];
}

function findSpecs() {
  const dir = path.join(repoRoot, 'test', 'e2e');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.spec.mjs') && (!grep || f.includes(grep)))
    .sort()
    .map((f) => path.join(dir, f));
}

async function main() {
  const t0 = Date.now();
  const tools = findTools();
  const specs = findSpecs();
  if (specs.length === 0) throw new Error(`no test/e2e/*.spec.mjs${grep ? ` matching ${grep}` : ''}`);
  const vsix = findVsix();
  if (!vsix) requireBuild();
  const scratch = await makeScratch(workspaceFixture, { keep });
  fs.mkdirSync(resultsDir, { recursive: true });

  let server;
  let browser;
  let passed = 0;
  let failed = 0;
  try {
    if (vsix) {
      log(`installing ${path.relative(repoRoot, vsix)}`);
      await codeServerCli(tools, scratch, ['--install-extension', vsix]);
    } else {
      log('no .vsix found: testing the development folder (extensionDevelopmentPath payload)');
    }
    server = await startCodeServer(tools, scratch, { smokeTestDriver: true });
    browser = await launchBrowser(tools, scratch);
    const url = workbenchUrl(server, scratch.workspace, vsix ? {} : { extensionDevelopmentPath: repoRoot });

    for (const spec of specs) {
      const name = path.basename(spec, '.spec.mjs');
      const mod = await import(pathToFileURL(spec).href);
      const title = mod.title ?? name;
      const page = await browser.newPage();
      page.on('pageerror', (err) => log(`  page error: ${err.message}`));
      const screenshot = async (label) => {
        const file = path.join(resultsDir, `e2e-${name}-${label}.png`);
        await page.screenshot({ path: file });
        log(`  screenshot ${path.relative(repoRoot, file)}`);
        return file;
      };
      const started = Date.now();
      try {
        await page.goto(url);
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await withTimeout(
          mod.default({ page, screenshot, workspace: scratch.workspace, log: (m) => log(`  ${m}`), assert }),
          SPEC_TIMEOUT_MS,
          title,
        );
        passed++;
        log(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      } catch (e) {
        failed++;
        log(`✘ ${title}\n${e.stack ?? e}`);
        await screenshot('failure').catch(() => {});
      } finally {
        await page.close().catch(() => {});
      }
    }
  } catch (e) {
    failed++;
    log(`ERROR: ${e.stack ?? e}`);
    log(`code-server log tail:\n${tail(scratch.serverLog, 40)}`);
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop();
    await scratch.dispose(failed > 0);
  }
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((e) => {
  log(`ERROR: ${e.stack ?? e}`);
  process.exit(1);
});
