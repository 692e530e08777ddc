import { createInterface } from 'node:readline/promises';
import { parse, findConfig, loadConfigOrExit, applyOverrides, cliContext, interruptible, EXIT, type Io } from '../util.js';
import { learn, suggestionYaml } from '../../engine/run/learn.js';

const help = `Usage: reprise learn [options]

Learn noise: replay the same inbound traffic twice against the unchanged service (with the mocks up) and
record which JSON paths and headers differ between the two answers to each request — clocks, random ids,
trace headers. They become per-endpoint ignores in .reprise/noise.json (config noise.file), applied by
every later \`reprise run\`, so fields that change on every run never fail a replay while real regressions
still do. The learned paths are also printed as a validate.ignore snippet for reprise.yaml.

State: a service that keeps state answers the second pass differently because of the first. With
sut.command in reprise.yaml, Reprise restarts the service between the passes (noise.restart, default
true). A service you started yourself is not restarted: with --pause, learn waits for you to restart it.

Options:
  -c, --config FILE       config file (default: ./reprise.yaml)
  -t, --target URL        override target
      --traffic A,B       override traffic sources (comma-separated paths)
      --merge             add to the saved noise model instead of replacing it
      --no-restart        do not restart the service between the passes
      --pause             when the service is not restarted by Reprise, wait for Enter between the passes
      --dry-run           learn and print, but do not write the noise file
      --json              print the outcome as JSON
  -h, --help              show this help
`;

export const learnCommand = {
  summary: 'learn noisy fields by replaying twice against the unchanged service',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values } = parse(args, {
      config: { type: 'string', short: 'c' },
      target: { type: 'string', short: 't' },
      traffic: { type: 'string' },
      merge: { type: 'boolean' },
      'no-restart': { type: 'boolean' },
      pause: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
    applyOverrides(config, io, values);
    const ctx = cliContext(io);
    if (!values.json) io.err.write('reprise learn: replaying the traffic twice…\n');
    const outcome = await interruptible(
      (signal) =>
        learn({
          config,
          ctx,
          signal,
          merge: values.merge,
          restart: values['no-restart'] ? false : undefined,
          save: !values['dry-run'],
          pauseBetween: values.pause
            ? async () => {
                const rl = createInterface({ input: process.stdin, output: io.err as NodeJS.WritableStream });
                await rl.question('pass 1 done: restart the service, then press Enter for pass 2… ');
                rl.close();
              }
            : undefined,
        }),
      { notice: io.err, reason: 'interrupted' },
    );
    if (values.json) {
      io.out.write(JSON.stringify(outcome, null, 2) + '\n');
      return outcome.error ? EXIT.runtime : EXIT.ok;
    }
    const o = io.out;
    for (const p of outcome.phases) o.write(`  ${p.status === 'ok' ? '✓' : p.status === 'failed' ? '✗' : '-'} ${p.name}${p.detail ? `: ${p.detail.split('\n').join('\n      ')}` : ''}\n`);
    if (outcome.error) {
      o.write(`\n✗ learning failed — ${outcome.error.split('\n')[0]}\nnothing was written.\n`);
      return EXIT.runtime;
    }
    for (const w of outcome.warnings) o.write(`  ! ${w}\n`);
    const eps = Object.keys(outcome.learnedModel.endpoints).length;
    o.write(`\ncompared ${outcome.samples} pairs of answers on ${eps} endpoint(s)${outcome.restarted ? ' (service restarted between the passes)' : ''}.\n`);
    const learnedEps = Object.entries(outcome.learned);
    if (!learnedEps.length) o.write('no noise beyond what reprise.yaml already ignores.\n');
    else {
      o.write('noisy fields not ignored by reprise.yaml, per endpoint:\n');
      for (const [ep, paths] of learnedEps) o.write(`  ${ep}: ${paths.join(', ')}\n`);
    }
    o.write(values['dry-run'] ? `\n(dry run: ${outcome.file} not written)\n` : `\nwritten to ${outcome.file}: later runs ignore these fields on these endpoints.\n`);
    const snippet = suggestionYaml(outcome);
    if (snippet) o.write(`\nTo keep them in reprise.yaml instead (for every endpoint), add:\n\n${snippet}`);
    return EXIT.ok;
  },
};
