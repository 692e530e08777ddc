import { parse, useColor, UsageError, CliError, type Io, EXIT } from '../util.js';
import { runsDirFor } from './runs-dir.js';
import { readRun, formatSummary } from '../../engine/report/index.js';

const help = `Usage: reprise report <run-id|path> [--config FILE] [--runs-dir DIR] [--json]

Print the summary of a past run (the same one 'reprise run' prints). 'latest' names the newest run.
`;

export const reportCommand = {
  summary: 'show the summary of a past run',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      args,
      { config: { type: 'string', short: 'c' }, 'runs-dir': { type: 'string' }, json: { type: 'boolean' }, 'no-color': { type: 'boolean' } },
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
    if (values.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
    else io.out.write(formatSummary(summary, { color: useColor(io, values['no-color'] ? false : undefined), width: io.out.columns }));
    return summary.verdict === 'pass' ? EXIT.ok : EXIT.gateFailed;
  },
};
