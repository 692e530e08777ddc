// npm run test:electron — runs the same compiled integration tests in desktop VS Code through
// @vscode/test-electron. It downloads VS Code from Microsoft's update server, which machines that reach only
// package registries cannot do: there, use `npm run test:vscode` (code-server), which runs the same files.
// Needs `npm run build`. Environment: VSCODE_VERSION (default "stable"); on Linux without a display run it
// under `xvfb-run -a`.
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileIntegrationTests, log, repoRoot, requireBuild } from './lib.mjs';

async function main() {
  requireBuild();
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'reprise-electron-'));
  const extensionTestsPath = await compileIntegrationTests(path.join(scratch, 'integration-tests'));
  const version = process.env.VSCODE_VERSION || 'stable';

  let vscodeExecutablePath;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: path.join(repoRoot, '.vscode-test') });
  } catch (e) {
    log(`ERROR: could not download VS Code ${version} for @vscode/test-electron: ${e.message ?? e}`);
    log('This machine may not reach Microsoft\'s update server. Run the same tests in code-server instead:');
    log('  npm run vscode:tools && npm run build && npm run test:vscode');
    await fsp.rm(scratch, { recursive: true, force: true, maxRetries: 3 });
    process.exit(2);
  }

  const workspace = path.join(scratch, 'workspace');
  await fsp.cp(path.join(repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });
  let code = 0;
  try {
    code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      launchArgs: [
        workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(scratch, 'user-data')}`,
        `--extensions-dir=${path.join(scratch, 'extensions')}`,
      ],
    });
  } catch (e) {
    log(`integration tests failed: ${e.message ?? e}`);
    code = 1;
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true, maxRetries: 3 });
  }
  process.exit(code);
}

main().catch((e) => {
  log(`ERROR: ${e.stack ?? e}`);
  process.exit(1);
});
