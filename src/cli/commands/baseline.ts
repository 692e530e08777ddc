import { parse, UsageError, CliError, type Io, EXIT } from '../util.js';
import { runsDirFor } from './runs-dir.js';
import { setBaseline, readRun } from '../../engine/report/index.js';

const help = `Usage: reprise baseline set <run-id> [--config FILE] [--runs-dir DIR]

Make a run the baseline that delta gates (latency_p95_delta, …) compare against.
`;

export const baselineCommand = {
  summary: 'set the baseline run for delta gates',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, 'runs-dir': { type: 'string' } }, true);
    if (positionals[0] !== 'set' || positionals.length !== 2) throw new UsageError("expected 'baseline set <run-id>'");
    const dir = await runsDirFor(io, values.config, values['runs-dir']);
    let run;
    try {
      run = await readRun(dir, positionals[1]);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    }
    await setBaseline(dir, run.runId);
    io.out.write(`baseline set to ${run.runId}\n`);
    return EXIT.ok;
  },
};
