import { parse, useColor, UsageError, CliError, type Io, EXIT } from '../util.js';
import { runsDirFor } from './runs-dir.js';
import { readRun, formatSummary, runDirOf } from '../../engine/report/index.js';
import { writeReportHtml } from '../../engine/report/html.js';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** dist/webview beside the CLI bundle (dist/cli.js), or REPRISE_WEBVIEW_DIR; from sources, the repo's dist. */
function webviewAssetsDir(): string {
  const candidates = [process.env.REPRISE_WEBVIEW_DIR, path.join(__dirname, 'webview'), path.resolve(__dirname, '../../../dist/webview')];
  return candidates.find((d): d is string => !!d && existsSync(path.join(d, 'report.js'))) ?? path.join(__dirname, 'webview');
}

const help = `Usage: reprise report <run-id|path> [--config FILE] [--runs-dir DIR] [--json] [--html FILE]

Print the summary of a past run (the same one 'reprise run' prints). 'latest' names the newest run.
--html FILE writes the full report (gates, latency, endpoints, every request) as one self-contained HTML file.
`;

export const reportCommand = {
  summary: 'show the summary of a past run',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      args,
      { config: { type: 'string', short: 'c' }, 'runs-dir': { type: 'string' }, json: { type: 'boolean' }, html: { type: 'string' }, 'no-color': { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('give exactly one run id');
    const dir = await runsDirFor(io, values.config, values['runs-dir']);
    let summary;
    try {
      summary = await readRun(dir, positionals[0]);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    }
    if (values.html) {
      const out = path.resolve(io.cwd, values.html);
      const runDir = await runDirOf(dir, positionals[0], io.cwd);
      const { bytes, rows } = await writeReportHtml(runDir, out, { assetsDir: webviewAssetsDir() });
      io.err.write(`wrote ${out} (${rows} requests, ${(bytes / 1024).toFixed(0)} KiB)\n`);
    }
    if (values.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
    else io.out.write(formatSummary(summary, { color: useColor(io, values['no-color'] ? false : undefined), width: io.out.columns }));
    return summary.verdict === 'pass' ? EXIT.ok : EXIT.gateFailed;
  },
};
