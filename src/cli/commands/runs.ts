import { parse, type Io, EXIT } from '../util.js';
import { runsDirFor } from './runs-dir.js';
import { listRuns } from '../../engine/report/index.js';

const help = `Usage: reprise runs [--config FILE] [--runs-dir DIR] [--json]

List the runs in the runs folder, newest first: id, verdict, pass rate, requests, time. A run whose
process is gone (killed, crashed) before it finished is listed as aborted, with the time it was last written.
`;

export const runsCommand = {
  summary: 'list past runs, newest first',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values } = parse(args, { config: { type: 'string', short: 'c' }, 'runs-dir': { type: 'string' }, json: { type: 'boolean' } });
    const dir = await runsDirFor(io, values.config, values['runs-dir']);
    const runs = await listRuns(dir);
    if (values.json) {
      io.out.write(JSON.stringify(runs, null, 2) + '\n');
      return EXIT.ok;
    }
    if (!runs.length) {
      io.out.write(`no runs in ${dir}\n`);
      return EXIT.ok;
    }
    for (const r of runs) {
      const m = r.metrics;
      const rate = m && m.total ? `${((m.passed / Math.max(1, m.sent || m.total)) * 100).toFixed(1)}%` : '-';
      const gone = r.orphaned ? `  (${r.abortReason})` : '';
      io.out.write(`${r.runId}  ${r.verdict.padEnd(8)}  pass ${rate.padStart(6)}  ${String(m?.total ?? 0).padStart(7)} req  ${r.startedAt}${gone}\n`);
    }
    return EXIT.ok;
  },
};
