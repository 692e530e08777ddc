import { parse, UsageError, CliError, EXIT, type Io } from '../util.js';
import { indexSources, listPairs, getPair, bodyText, type Pair, type SourceIssue, type Headers } from '../../engine/store/index.js';
import { redactHeaders } from '../../engine/redact.js';
import { displayPath, parseCount, parseDirection, printIssues, plural, sourcesOrConfig } from './store-common.js';

const help = `Usage: reprise traffic [sessions|endpoints|pairs|show] [source...] [options]

Browse traffic without loading it (one streaming pass; works on any readable format). Without sources,
the traffic of ./reprise.yaml (its traffic: and every mock's traffic:).

  reprise traffic [source...]              totals: pairs in/out, services, sessions, endpoints
  reprise traffic sessions [source...]     sessions with their pair count and time span
  reprise traffic endpoints [source...]    method + templated path (GET /orders/{id}), count, status mix
  reprise traffic pairs [source...] [--session S | --endpoint "GET /orders/{id}"] [--offset N] [--limit N]
                                           one page of pairs (id, seq, method, url, status, duration, file:line)
  reprise traffic show <pair-id> [source...]
                                           one pair: headers (secrets masked) and bodies

Options:
  -c, --config FILE       config whose traffic is browsed when no source is named
  -d, --direction D       only pairs of this direction: in | out
  -s, --service NAME      pairs: only outbound pairs of this service
      --session S         pairs: only this session
  -e, --endpoint E        pairs: only this endpoint, as listed by 'endpoints' ("GET /orders/{id}")
      --offset N          pairs: skip the first N matches (default 0)
      --limit N           pairs: at most N (default 50)
      --full              show: print bodies whole (default: cut after 20,000 characters)
      --json              machine-readable output
  -h, --help              show this help
`;

const SUBCOMMANDS = new Set(['summary', 'sessions', 'endpoints', 'pairs', 'show']);
const BODY_CUT = 20_000;

function table(rows: string[][], right: Set<number> = new Set()): string {
  if (!rows.length) return '';
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 && !right.has(c) ? cell : right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd()).join('\n') + '\n';
}

function statusMix(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
}

function headerLines(h: Headers): string[] {
  return Object.entries(h).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}`));
}

function bodyForDisplay(body: string | undefined, enc: 'utf8' | 'base64' | undefined, full: boolean): string | undefined {
  if (body === undefined || body === '') return undefined;
  let text: string;
  if (enc === 'base64') {
    const bytes = Buffer.from(body, 'base64');
    const decoded = bodyText(body, enc);
    if (!decoded.includes('\uFFFD')) text = decoded;
    else return `<${bytes.length} bytes of binary data>`;
  } else text = body;
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: as recorded
    }
  }
  if (!full && text.length > BODY_CUT) return `${text.slice(0, BODY_CUT)}\n… (${text.length - BODY_CUT} more characters; --full shows all)`;
  return text;
}

/** A pair for display: secret header values masked. */
function redactedPair(p: Pair): Pair {
  return {
    ...p,
    request: { ...p.request, headers: redactHeaders(p.request.headers) },
    ...(p.response ? { response: { ...p.response, headers: redactHeaders(p.response.headers) } } : {}),
  };
}

export const trafficCommand = {
  summary: 'browse traffic: sessions, endpoints with counts and status mix, pages of pairs, one pair',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values, positionals } = parse(
      args,
      {
        config: { type: 'string', short: 'c' },
        direction: { type: 'string', short: 'd' },
        service: { type: 'string', short: 's' },
        session: { type: 'string' },
        endpoint: { type: 'string', short: 'e' },
        offset: { type: 'string' },
        limit: { type: 'string' },
        full: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      true,
    );
    const sub = positionals.length && SUBCOMMANDS.has(positionals[0]) ? positionals[0] : 'summary';
    const rest = sub === 'summary' && positionals[0] !== 'summary' ? positionals : positionals.slice(1);
    const direction = parseDirection(values.direction);
    const offset = parseCount('offset', values.offset, 0) ?? 0;
    const limit = parseCount('limit', values.limit, 1) ?? 50;
    if (sub !== 'pairs') {
      for (const k of ['session', 'endpoint', 'offset', 'limit'] as const) {
        if (values[k] !== undefined) throw new UsageError(`--${k} applies to 'reprise traffic pairs'`);
      }
    }
    const issues: SourceIssue[] = [];
    const onIssue = (i: SourceIssue) => issues.push(i);

    if (sub === 'show') {
      const id = rest[0];
      if (!id) throw new UsageError("name the pair: 'reprise traffic show <pair-id> [source...]'");
      const sources = await sourcesOrConfig(io, rest.slice(1), values.config);
      const pair = await getPair(sources, id, { onIssue });
      printIssues(io, issues.filter((i) => i.severity === 'error'));
      if (!pair) throw new CliError(`no pair with id '${id}' in ${sources.map((s) => displayPath(io.cwd, s)).join(', ')}`, EXIT.runtime);
      const shown = redactedPair(pair);
      if (values.json) {
        io.out.write(JSON.stringify(shown, null, 2) + '\n');
        return EXIT.ok;
      }
      const full = !!values.full;
      const lines: string[] = [];
      lines.push(`pair ${pair.id}  session ${pair.session} #${pair.seq}  ${pair.direction === 'in' ? 'inbound' : `outbound → ${pair.service ?? '?'}`}  ${pair.ts}${pair.duration !== undefined ? `  ${pair.duration} ms` : ''}`);
      lines.push('');
      lines.push(`${shown.request.method} ${shown.request.url}`);
      lines.push(...headerLines(shown.request.headers));
      const rb = bodyForDisplay(shown.request.body, shown.request.bodyEncoding, full);
      if (rb !== undefined) lines.push('', rb);
      lines.push('');
      if (shown.response) {
        lines.push(`HTTP ${shown.response.status}`);
        lines.push(...headerLines(shown.response.headers));
        const b = bodyForDisplay(shown.response.body, shown.response.bodyEncoding, full);
        if (b !== undefined) lines.push('', b);
      } else lines.push('(no response recorded)');
      io.out.write(lines.join('\n') + '\n');
      return EXIT.ok;
    }

    const sources = await sourcesOrConfig(io, rest, values.config);

    if (sub === 'pairs') {
      const page = await listPairs(sources, { session: values.session, endpoint: values.endpoint, service: values.service, direction, offset, limit, onIssue });
      printIssues(io, issues, { skipInfo: true });
      if (values.json) {
        io.out.write(JSON.stringify({ total: page.total, offset, limit, items: page.items }, null, 2) + '\n');
        return EXIT.ok;
      }
      if (!page.items.length) {
        io.out.write(page.total ? `no pairs at offset ${offset} (${plural(page.total, 'match')})\n` : 'no matching pairs\n');
        return EXIT.ok;
      }
      const rows = [['ID', 'SESSION', 'SEQ', 'REQUEST', 'STATUS', 'MS', 'WHERE']];
      for (const p of page.items) {
        rows.push([
          p.id,
          p.session,
          String(p.seq),
          `${p.method} ${p.url}${p.direction === 'out' && p.service ? `  → ${p.service}` : ''}`,
          p.status === undefined ? '-' : String(p.status),
          p.duration === undefined ? '-' : String(Math.round(p.duration)),
          displayPath(io.cwd, p.file) + (p.line !== undefined ? `:${p.line}` : p.entry !== undefined ? `#${p.entry}` : ''),
        ]);
      }
      io.out.write(table(rows, new Set([2, 5])));
      const end = offset + page.items.length;
      io.out.write(`${offset + 1}–${end} of ${page.total}${end < page.total ? `; next page: --offset ${end}` : ''}\n`);
      return EXIT.ok;
    }

    const idx = await indexSources(sources, { direction, onIssue: () => {} });
    printIssues(io, idx.issues, { skipInfo: true });
    if (sub === 'sessions') {
      if (values.json) io.out.write(JSON.stringify({ total: idx.total, sessions: idx.sessions }, null, 2) + '\n');
      else if (!idx.sessions.length) io.out.write('no pairs\n');
      else io.out.write(table([['SESSION', 'PAIRS', 'FIRST', 'LAST'], ...idx.sessions.map((s) => [s.session, String(s.count), s.firstTs, s.lastTs])], new Set([1])));
      return EXIT.ok;
    }
    if (sub === 'endpoints') {
      if (values.json) io.out.write(JSON.stringify({ total: idx.total, endpoints: idx.endpoints }, null, 2) + '\n');
      else if (!idx.endpoints.length) io.out.write('no pairs\n');
      else
        io.out.write(
          table(
            [['ENDPOINT', 'PAIRS', 'STATUS', 'SERVICES'], ...idx.endpoints.map((e) => [e.endpoint, String(e.count), statusMix(e.statusCounts), (e.services ?? []).join(',')])],
            new Set([1]),
          ),
        );
      return EXIT.ok;
    }
    // summary
    if (values.json) {
      const { issues: all, ...rest2 } = idx;
      io.out.write(
        JSON.stringify(
          {
            total: rest2.total,
            inbound: rest2.inbound,
            outbound: rest2.outbound,
            services: rest2.services,
            sessions: rest2.sessions.length,
            endpoints: rest2.endpoints.length,
            issues: { error: all.filter((i) => i.severity === 'error').length, warning: all.filter((i) => i.severity === 'warning').length, info: all.filter((i) => i.severity === 'info').length },
          },
          null,
          2,
        ) + '\n',
      );
      return EXIT.ok;
    }
    const lines = [
      `${plural(idx.total, 'pair')}: ${idx.inbound} inbound, ${idx.outbound} outbound`,
      `${plural(idx.sessions.length, 'session')}, ${plural(idx.endpoints.length, 'endpoint')}`,
    ];
    if (idx.services.length) lines.push(`services: ${idx.services.map((s) => `${s.service} (${s.count})`).join(', ')}`);
    io.out.write(lines.join('\n') + '\n');
    return EXIT.ok;
  },
};
