import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readReportData, renderReportHtml, readReportAssets, writeReportHtml, scriptSafeJson } from '../../../src/engine/report/html.js';
import { buildBundles, writeHostileRun, HOSTILE, repoRoot } from './support.js';

let tmp: string;
let bundles: string;
let runDir: string;

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'reprise-html-'));
  bundles = path.join(tmp, 'webview');
  await buildBundles(bundles, ['report']);
  runDir = await writeHostileRun(path.join(tmp, 'runs'), 30);
});
after(() => fs.rm(tmp, { recursive: true, force: true }));

describe('reprise report --html', () => {
  test('the data block cannot be closed by captured text: every < is \\u003c', () => {
    const s = scriptSafeJson({ a: HOSTILE.close, b: '\u2028' });
    assert.ok(!s.includes('<'));
    assert.deepEqual(JSON.parse(s), { a: HOSTILE.close, b: '\u2028' });
  });

  test('one self-contained document: CSP, inline bundle and style with the nonce, data with gates and rows', async () => {
    const data = await readReportData(runDir);
    assert.equal(data.rows.length, 30);
    assert.equal(data.rows.filter((r) => r.outcome === 'fail').length, 10);
    assert.equal(data.init.unmatchedCount, 1);
    assert.ok(data.rows[0].diffs?.length, 'failed rows carry their field differences');
    const html = renderReportHtml(data, await readReportAssets(bundles), { nonce: 'TESTNONCE' });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-TESTNONCE'; style-src 'nonce-TESTNONCE'; img-src data:; font-src data:">/);
    // Exactly three script/style openings of our own: the data block, the bundle, the style.
    assert.equal(html.match(/<script\b/g)?.length, 3);
    assert.equal(html.match(/<\/script>/g)?.length, 3);
    assert.equal(html.match(/<style\b/g)?.length, 1);
    assert.ok(!html.includes('src="http') && !html.includes("href=\"http"), 'nothing is loaded from elsewhere');
    const block = (id: string) => {
      const m = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
      assert.ok(m, id);
      assert.ok(!m[1].includes('<'), 'no raw < inside the data');
      return JSON.parse(m[1]);
    };
    const init = block('reprise-init') as typeof data.init;
    const rows = block('reprise-rows') as typeof data.rows;
    assert.deepEqual(init.summary.gates.map((g) => g.name), ['body_match_rate', 'status_pass_rate']);
    assert.equal(rows[0].url, data.rows[0].url);
    assert.ok(rows[0].url.includes(HOSTILE.script), 'captured text is kept verbatim as data');
    assert.ok(html.indexOf('id="reprise-init"') < html.indexOf('<script nonce') && html.indexOf('<script nonce') < html.indexOf('id="reprise-rows"'), 'summary, script, rows');
    assert.ok(!html.includes(HOSTILE.script), 'and never appears as markup');
    assert.ok(!html.includes(HOSTILE.img));
  });

  test('the CLI writes the file from the same code (exit code follows the verdict)', async () => {
    const out = path.join(tmp, 'out', 'report.html');
    const runsDir = path.dirname(runDir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'report', path.basename(runDir), '--runs-dir', runsDir, '--html', out, '--no-color'], {
      env: { ...process.env, REPRISE_WEBVIEW_DIR: bundles },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, `gate failed → exit 1\n${r.stderr}`);
    assert.match(r.stderr, /wrote .*report\.html \(30 requests/);
    const html = await fs.readFile(out, 'utf8');
    assert.match(html, /<title>Reprise report .* — FAIL<\/title>/);
    const { bytes } = await writeReportHtml(runDir, path.join(tmp, 'again.html'), { assetsDir: bundles });
    assert.ok(bytes > 1000);
  });

  test('a missing bundle is a clear error', async () => {
    await assert.rejects(readReportAssets(path.join(tmp, 'nowhere')), /report\.(js|css) missing: build the webviews first/);
  });
});
