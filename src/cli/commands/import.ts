import { join, relative, resolve, isAbsolute } from 'node:path';
import { parse, UsageError, CliError, EXIT, type Io } from '../util.js';
import { readPairs, JsonlWriter, redactPair, type Pair, type SourceIssue } from '../../engine/store/index.js';
import { displayPath, parseDirection, parseReadFormat, printIssues, plural, READ_FORMATS } from './store-common.js';

const help = `Usage: reprise import <source...> --out DIR [options]

Read traffic in any supported format (files or folders; the format of each file is detected from its
content) and write it as the native store:
  DIR/inbound.jsonl              inbound pairs (replayed against the target)
  DIR/<service>/outbound.jsonl   outbound pairs of each dependency (served by mocks)
Existing files with these names are replaced. Problems are printed as file:line lines; entries that
cannot be read are skipped and the rest is imported (exit 0). Exit 3 when nothing could be read.

Options:
  -o, --out DIR          store folder to write (required; not inside a source)
  -f, --format F         ${READ_FORMATS.join(' | ')} (default auto)
  -d, --direction D      in | out: direction of pairs from formats that record none (HAR, GoReplay;
                         default in). WireMock mappings are always outbound.
  -s, --service NAME     service of every outbound pair (default: the host called; for WireMock folders
                         the folder name or the Host header matcher)
      --redact           mask secret headers (authorization, cookie, set-cookie, API keys) in the store
      --redact-path P    mask a JSON body path in request and response bodies (repeatable), e.g. $.card.number
      --json             print the summary as JSON
  -h, --help             show this help
`;

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';

function inside(parent: string, child: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

export const importCommand = {
  summary: 'convert HAR, proxymock, GoReplay, Keploy, WireMock… into the native store',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      args,
      {
        out: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        direction: { type: 'string', short: 'd' },
        service: { type: 'string', short: 's' },
        redact: { type: 'boolean' },
        'redact-path': { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      true,
    );
    if (!positionals.length) throw new UsageError('name at least one traffic source (file or folder)');
    if (!values.out) throw new UsageError('--out DIR is required');
    const format = parseReadFormat(values.format);
    const direction = parseDirection(values.direction);
    if (values.service !== undefined && !values.service.trim()) throw new UsageError('--service must not be empty');
    const out = resolve(io.cwd, values.out);
    const sources = positionals.map((p) => resolve(io.cwd, p));
    for (const s of sources) {
      if (inside(s, out) || inside(out, s)) throw new UsageError(`--out ${values.out} overlaps the source ${displayPath(io.cwd, s)}; write the store elsewhere`);
    }

    const issues: SourceIssue[] = [];
    const writers = new Map<string, { writer: JsonlWriter; direction: 'in' | 'out'; service?: string }>();
    const redactOpts = { redact: values.redact === true, redactPaths: values['redact-path'] ?? [] };
    const transform = values.redact || redactOpts.redactPaths.length ? (p: Pair) => redactPair(p, redactOpts) : (p: Pair) => p;
    let total = 0;
    try {
      for await (const raw of readPairs(sources, { onIssue: (i) => issues.push(i), defaultDirection: direction, format, service: values.service })) {
        const pair = transform(raw.direction === 'out' && values.service ? { ...raw, service: values.service } : raw);
        const key = pair.direction === 'in' ? 'inbound.jsonl' : join(safeName(pair.service ?? 'unknown'), 'outbound.jsonl');
        let w = writers.get(key);
        if (!w) {
          w = { writer: await JsonlWriter.open(join(out, key)), direction: pair.direction, service: pair.direction === 'out' ? pair.service ?? 'unknown' : undefined };
          writers.set(key, w);
        }
        await w.writer.write(pair);
        total++;
      }
    } finally {
      await Promise.all([...writers.values()].map((w) => w.writer.close()));
    }

    const counts = printIssues(io, issues);
    const files = [...writers.values()]
      .map((w) => ({ direction: w.direction, ...(w.service !== undefined ? { service: w.service } : {}), count: w.writer.written, file: w.writer.path }))
      .sort((a, b) => (a.direction === b.direction ? (a.service ?? '').localeCompare(b.service ?? '') : a.direction === 'in' ? -1 : 1));
    if (values.json) {
      io.out.write(JSON.stringify({ out, total, files, issues: counts }, null, 2) + '\n');
    } else if (total) {
      io.out.write(`imported ${plural(total, 'pair')} into ${displayPath(io.cwd, out)}\n`);
      const label = (f: (typeof files)[number]) => (f.direction === 'in' ? 'inbound' : `outbound ${f.service}`);
      const width = Math.max(...files.map((f) => label(f).length));
      const cw = Math.max(...files.map((f) => String(f.count).length));
      for (const f of files) io.out.write(`  ${label(f).padEnd(width)}  ${String(f.count).padStart(cw)}  ${displayPath(io.cwd, f.file)}\n`);
    }
    if (!values.json && (counts.error || counts.warning || counts.info)) {
      io.out.write(`problems: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info (printed on stderr)\n`);
    }
    if (!total) throw new CliError(`nothing could be read from ${sources.map((s) => displayPath(io.cwd, s)).join(', ')}`, EXIT.runtime);
    return EXIT.ok;
  },
};
