import { parse, findConfig, loadConfigOrExit, applyOverrides, cliContext, interruptible, useColor, UsageError, EXIT, type Io } from '../util.js';
import { runReplay } from '../../engine/run/index.js';
import { formatSummary, formatProgress } from '../../engine/report/index.js';

const help = `Usage: reprise run [options]

Replay the inbound traffic against the target with the dependencies mocked, validate every response,
evaluate the quality gates and write the run to .reprise/runs/<run-id>/.

Options:
  -c, --config FILE       config file (default: ./reprise.yaml)
  -t, --target URL        override target
      --traffic A,B       override traffic sources (comma-separated paths)
      --concurrency N     override replay.concurrency
      --time-scale X      override replay.time_scale (0: no waiting)
      --baseline SPEC     override baseline (previous | run id | path)
      --no-start          do not start the service from sut.command (it is already running,
                          e.g. in a debugger); readiness is still awaited
      --json              print the run summary as JSON instead of the terminal summary
      --no-color          no ANSI colours
  -q, --quiet             no progress line
  -h, --help              show this help
`;

function num(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min}, got '${v}'`);
  return n;
}

export const runCommand = {
  summary: 'replay traffic, validate, evaluate gates, write a run',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values } = parse(args, {
      config: { type: 'string', short: 'c' },
      target: { type: 'string', short: 't' },
      traffic: { type: 'string' },
      concurrency: { type: 'string' },
      'time-scale': { type: 'string' },
      baseline: { type: 'string' },
      'no-start': { type: 'boolean' },
      json: { type: 'boolean' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
    applyOverrides(config, io, values);
    const c = num('concurrency', values.concurrency, 1);
    if (c !== undefined) config.replay.concurrency = Math.floor(c);
    const ts = num('time-scale', values['time-scale'], 0);
    if (ts !== undefined) config.replay.time_scale = ts;
    if (values.baseline) config.baseline = values.baseline;
    if (values['no-start'] && config.sut) delete config.sut.command;

    const color = useColor(io, values['no-color'] ? false : values.color);
    const ctx = cliContext(io);
    const live = !values.quiet && !values.json && !!io.err.isTTY;
    if (live) {
      // At most ~10 redraws a second: a fast replay finishes thousands of requests a second.
      let last = 0;
      ctx.events.on('request:done', (p) => {
        const now = Date.now();
        if (now - last < 100 && p.done !== p.total) return;
        last = now;
        io.err.write(`\r\x1b[2K${formatProgress(p.done, p.total, p.passed, p.failed)}`);
      });
    }
    const outcome = await interruptible((signal) => runReplay({ config, ctx, signal, countFirst: live }), { notice: io.err, reason: 'interrupted' });
    if (live) io.err.write('\r\x1b[2K');
    if (values.json) io.out.write(JSON.stringify(outcome.summary, null, 2) + '\n');
    else io.out.write(formatSummary(outcome.summary, { color, width: io.out.columns }) + `\nrun folder: ${outcome.runDir}\n`);
    return outcome.exitCode === 0 ? EXIT.ok : outcome.exitCode === 3 ? EXIT.runtime : EXIT.gateFailed;
  },
};
