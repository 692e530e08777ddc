import { resolve } from 'node:path';
import { parse, UsageError, CliError, EXIT, type Io } from '../util.js';
import { readPairs, exportHar, exportRrpairMd, exportWireMock, type Pair, type SourceIssue } from '../../engine/store/index.js';
import { displayPath, parseCount, parseDirection, printIssues, plural, sourcesOrConfig } from './store-common.js';

const help = `Usage: reprise export [source...] --format har|wiremock|rrpair --out PATH [options]

Write traffic (any readable format; default: the traffic of ./reprise.yaml) in another format:
  har       one HAR 1.2 file at PATH (Reprise fields kept in each entry's _reprise object)
  wiremock  WireMock mapping folders at PATH (mappings/ + __files/ for large bodies; repeated identical
            requests become scenarios); one folder per service when there are several. Outbound pairs
            only, unless --direction in.
  rrpair    proxymock RRPair Markdown: PATH/<host>/<timestamp>.md
Secret headers (authorization, cookie, set-cookie, x-api-key and other token/secret/API-key names) are
masked unless --no-redact.

Options:
  -f, --format F            har | wiremock | rrpair (required)
  -o, --out PATH            file (har) or folder (wiremock, rrpair) to write (required)
      --no-redact           export secret headers as recorded
      --redact-header NAME  one more header to mask (repeatable)
      --redact-path P       mask a JSON body path in request and response bodies (repeatable), e.g. $.card.number
  -d, --direction D         only pairs of this direction: in | out
  -s, --service NAME        only outbound pairs of this service
      --session S           only pairs of this session
      --body-file-threshold N  wiremock: response bodies over N bytes go to __files/ (default 1024)
  -c, --config FILE         config whose traffic is exported when no source is named
      --json                print the summary as JSON
  -h, --help                show this help
`;

const FORMATS = ['har', 'wiremock', 'rrpair'] as const;

async function* filtered(src: AsyncIterable<Pair>, keep: (p: Pair) => boolean): AsyncGenerator<Pair> {
  for await (const p of src) if (keep(p)) yield p;
}

export const exportCommand = {
  summary: 'export traffic as HAR, WireMock mappings or proxymock RRPair files (secrets masked)',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      args,
      {
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        redact: { type: 'boolean' },
        'no-redact': { type: 'boolean' },
        'redact-header': { type: 'string', multiple: true },
        'redact-path': { type: 'string', multiple: true },
        direction: { type: 'string', short: 'd' },
        service: { type: 'string', short: 's' },
        session: { type: 'string' },
        'body-file-threshold': { type: 'string' },
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
      },
      true,
    );
    const format = values.format as (typeof FORMATS)[number] | undefined;
    if (!format) throw new UsageError(`--format is required (${FORMATS.join(', ')})`);
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got '${values.format}'`);
    if (!values.out) throw new UsageError('--out PATH is required');
    let direction = parseDirection(values.direction);
    if (format === 'wiremock' && !direction) direction = 'out';
    const threshold = parseCount('body-file-threshold', values['body-file-threshold'], 0);
    const sources = await sourcesOrConfig(io, positionals, values.config);
    const out = resolve(io.cwd, values.out);

    const issues: SourceIssue[] = [];
    let read = 0;
    const pairs = filtered(readPairs(sources, { onIssue: (i) => issues.push(i), direction }), (p) => {
      if (values.service !== undefined && p.service !== values.service) return false;
      if (values.session !== undefined && p.session !== values.session) return false;
      read++;
      return true;
    });
    const opts = {
      redact: !values['no-redact'],
      secretHeaders: values['redact-header'] ?? [],
      redactPaths: values['redact-path'] ?? [],
    };
    let written: number;
    let detail: Record<string, unknown> = {};
    const lines: string[] = [];
    if (format === 'har') {
      written = await exportHar(pairs, out, opts);
      lines.push(`wrote ${plural(written, 'entry').replace('entrys', 'entries')} to ${displayPath(io.cwd, out)}`);
    } else if (format === 'rrpair') {
      const files = await exportRrpairMd(pairs, out, opts);
      written = files.length;
      lines.push(`wrote ${plural(written, 'RRPair file')} under ${displayPath(io.cwd, out)}`);
    } else {
      const r = await exportWireMock(pairs, out, { ...opts, ...(threshold !== undefined ? { bodyFileThreshold: threshold } : {}) });
      issues.push(...r.issues);
      written = r.roots.reduce((n, x) => n + x.mappings, 0);
      detail = { roots: r.roots, skipped: r.skipped };
      lines.push(`wrote ${plural(written, 'WireMock mapping')} under ${displayPath(io.cwd, out)}`);
      for (const root of r.roots) {
        lines.push(`  ${root.service}: ${plural(root.mappings, 'mapping')} (${root.bodyFiles} bodies in __files, ${root.inScenarios} in scenarios)  ${displayPath(io.cwd, root.dir)}`);
      }
      if (r.skipped) lines.push(`  ${plural(r.skipped, 'pair')} without a recorded response not exported`);
    }
    const counts = printIssues(io, issues);
    if (values.json) io.out.write(JSON.stringify({ format, out, read, written, redacted: opts.redact, ...detail, issues: counts }, null, 2) + '\n');
    else io.out.write(lines.join('\n') + '\n' + (opts.redact ? '' : 'secret headers NOT masked (--no-redact)\n'));
    if (!read) throw new CliError(`no pairs to export from ${sources.map((s) => displayPath(io.cwd, s)).join(', ')}`, EXIT.runtime);
    return EXIT.ok;
  },
};
