/**
 * The folder boundaries (.oxlintrc.json, `npm run lint`): the tree as it is passes, and a stray import in
 * each guarded folder is reported, naming its file and line, while the allowed imports beside it are not.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const oxlint = join(root, 'node_modules/oxlint/bin/oxlint');

interface Diagnostic { filename: string; code: string; message: string; labels: { span: { line: number } }[] }

function lint(cwd: string): { status: number | null; diagnostics: Diagnostic[]; out: string } {
  assert.ok(existsSync(oxlint), `${oxlint} is missing: oxlint is a devDependency, run \`npm ci\``);
  const r = spawnSync(process.execPath, [oxlint, '--format', 'json', 'src', 'webview-ui'], { cwd, encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  let diagnostics: Diagnostic[] = [];
  try {
    diagnostics = JSON.parse(r.stdout).diagnostics;
  } catch {
    assert.fail(`oxlint printed no JSON report (exit ${r.status}):\n${out}`);
  }
  return { status: r.status, diagnostics, out };
}

describe('folder boundaries (oxlint no-restricted-imports)', () => {
  test('the tree passes', () => {
    const r = lint(root);
    assert.deepEqual(r.diagnostics.map((d) => `${d.filename}:${d.labels[0]?.span.line} ${d.message}`), []);
    assert.equal(r.status, 0, r.out);
  });

  test('a stray import in each guarded folder fails, with its file and line; allowed imports pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reprise-lint-'));
    try {
      await copyFile(join(root, '.oxlintrc.json'), join(dir, '.oxlintrc.json'));
      const files: Record<string, string> = {
        // Stray: line 2 of each file.
        'src/shared/stray.ts': "import { z } from 'zod';\nimport type { RunOptions } from '../engine/run.js';\n",
        // Type-only forms count too: a re-export, and an import() type that no import statement names.
        'src/shared/stray-reexport.ts': "import type { HeaderMap } from './results.js';\nexport type { RunSummary } from '../engine/report/types.js';\n",
        'src/shared/stray-typeof.ts': "import type { HeaderMap } from './results.js';\nexport type Opts = import('../engine/run.js').RunOptions;\n",
        'webview-ui/src/diff/stray-typeof.ts': "import type { DiffView } from '../../../src/shared/view-types.js';\nexport type R = import('../../../src/engine/replay/types.js').RequestResult;\n",
        'src/shared/protocols/stray.ts': "import { command } from '../ipc.js';\nexport { openReport } from '../../extension/commands/ids.js';\n",
        'src/shared/vscode.ts': "export const a = 1;\nimport * as vscode from 'vscode';\n",
        'src/engine/stray.ts': "import { readFile } from 'node:fs/promises';\nimport * as vscode from 'vscode';\n",
        'src/engine/report/stray.ts': "import type { RunSummary } from './types.js';\nimport { main } from '../../cli/main.js';\n",
        'src/engine/mocks/stray.ts': "import { x } from '../store/index.js';\nconst ext = await import('../../extension/extension.js');\n",
        'src/cli/stray.ts': "import { runReplay } from '../engine/run.js';\nimport { window } from 'vscode';\n",
        'webview-ui/src/report/stray.ts': "import type { ReportInit } from '../../../src/shared/view-types.js';\nimport { runReplay } from '../../../src/engine/run.js';\n",
        'webview-ui/src/diff/stray.ts': "import { html } from 'diff2html';\nimport { readFileSync } from 'node:fs';\n",
        'webview-ui/src/common/stray.ts': "import { el } from './dom.js';\nimport { freePort } from '../../../test/unit/cli/helpers.js';\n",
        'webview-ui/src/unmatched/stray.ts': "import { el } from '../common/dom.js';\nimport * as vscode from 'vscode';\n",
        // Allowed, nothing to report.
        'src/extension/ok.ts': "import * as vscode from 'vscode';\nimport { runReplay } from '../engine/run.js';\nimport type { ReportInit } from '../shared/view-types.js';\n",
        'src/cli/ok.ts': "import { runReplay } from '../engine/run.js';\nimport type { ReportInit } from '../shared/view-types.js';\n",
        'src/engine/ok.ts': "import type { ReportInit } from '../shared/view-types.js';\nimport { parse } from 'yaml';\n",
        'src/engine/report/ok.ts': "import type { RunSummary } from '../../shared/results.js';\nexport type { FieldDiff } from '../../shared/results.js';\n",
        'src/shared/ok.ts': "import { z } from 'zod';\nimport { command } from './ipc.js';\n",
        'webview-ui/src/report/ok.ts': "import { command } from '../../../src/shared/ipc.js';\nimport { el } from '../common/dom.js';\nimport * as monaco from 'monaco-editor/editor/editor.api.js';\n",
        'webview-ui/build.mjs': "import * as path from 'node:path';\nimport * as esbuild from 'esbuild';\n",
      };
      for (const [rel, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, rel)), { recursive: true });
        await writeFile(join(dir, rel), text);
      }
      const r = lint(dir);
      assert.equal(r.status, 1, `oxlint should fail on the stray imports:\n${r.out}`);
      const reported = r.diagnostics.map((d) => `${d.filename.split('\\').join('/')}:${d.labels[0]?.span.line}`).sort();
      const strays = Object.keys(files).filter((f) => f.includes('stray') || f.endsWith('vscode.ts')).map((f) => `${f}:2`).sort();
      assert.deepEqual(reported, strays, r.out);
      for (const d of r.diagnostics) {
        const file = d.filename.split('\\').join('/');
        // An import() type is not an import statement: consistent-type-imports (disallowTypeAnnotations) reports it.
        const want = file.endsWith('stray-typeof.ts') ? 'typescript(consistent-type-imports)' : 'eslint(no-restricted-imports)';
        assert.equal(d.code, want, `${file}: ${d.message}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
