import { parse, UsageError, CliError, type Io, EXIT } from '../util.js';
import { runsDirFor } from './runs-dir.js';
import { setBaseline, readRun, getBaseline, clearBaseline } from '../../engine/report/index.js';

const help = `Usage: reprise baseline set <run-id|latest> [--config FILE] [--runs-dir DIR]
       reprise baseline show  [--config FILE] [--runs-dir DIR]
       reprise baseline clear [--config FILE] [--runs-dir DIR]

The baseline is the run that delta gates (latency_p95_delta, cpu_delta, mem_delta, …) and the report's
per-endpoint latency and status deltas compare against. Any run can become the baseline. When reprise.yaml
names a \`baseline\` (e.g. "previous"), that wins over the one set here. With no baseline, delta gates fail
with a note saying so — they never pass silently.
`;

export const baselineCommand = {
  summary: 'set, show or clear the baseline run for delta gates',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(args, { config: { type: 'string', short: 'c' }, 'runs-dir': { type: 'string' } }, true);
    const [verb, ...rest] = positionals;
    if (!(verb === 'set' && rest.length === 1) && !((verb === 'show' || verb === 'clear') && rest.length === 0)) {
      throw new UsageError("expected 'baseline set <run-id>', 'baseline show' or 'baseline clear'");
    }
    const dir = await runsDirFor(io, values.config, values['runs-dir']);
    if (verb === 'show') {
      const id = await getBaseline(dir);
      if (!id) {
        io.out.write('no baseline set (delta gates fail until one is: reprise baseline set <run-id>)\n');
        return EXIT.ok;
      }
      try {
        const run = await readRun(dir, id);
        io.out.write(`baseline: ${run.runId} (${run.status}, verdict ${run.verdict}, started ${run.startedAt})\n`);
      } catch {
        io.out.write(`baseline: ${id} (its run folder is missing or unreadable; delta gates get no baseline)\n`);
      }
      return EXIT.ok;
    }
    if (verb === 'clear') {
      await clearBaseline(dir);
      io.out.write('baseline cleared\n');
      return EXIT.ok;
    }
    let run;
    try {
      run = await readRun(dir, rest[0]);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT.usage);
    }
    await setBaseline(dir, run.runId);
    io.out.write(`baseline set to ${run.runId}${run.status !== 'completed' ? ` (note: that run is ${run.status})` : ''}\n`);
    return EXIT.ok;
  },
};
