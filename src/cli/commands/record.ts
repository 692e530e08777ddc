import { resolve } from 'node:path';
import { parse, cliContext, interruptible, UsageError, CliError, EXIT, type Io } from '../util.js';
import { startRecorder, type RecordKind } from '../../engine/record/index.js';
import type { PairInput } from '../../engine/store/model.js';

const help = `Usage: reprise record --app-port PORT [options]

Record new traffic locally. Clients talk to the inbound proxy, which forwards every request to the app
unchanged and records it with its response; the app sends its calls to dependencies through the
outbound proxy (give it HTTP_PROXY), which records them. Ctrl-C stops, flushes the files and prints counts.

Writes <out>/inbound.jsonl, <out>/<service>/outbound.jsonl (one folder per called host) and, for HTTPS
hosts the proxy can only tunnel, <out>/tunnels.jsonl (host, bytes and timing only).

Options:
      --app-port PORT        port of the running app (required unless --app-url)
      --app-host HOST        host of the app (default 127.0.0.1)
      --app-url URL          the app's base URL instead of --app-host/--app-port (http or https)
      --in-port PORT         inbound proxy port (default 4143; 0 picks a free port)
      --out-port PORT        outbound proxy port, the app's HTTP_PROXY (default 4140; 0 picks a free port)
      --host HOST            address both proxies listen on (default 127.0.0.1)
  -o, --out DIR              store folder (default ./local-traffic)
      --session-header NAME  header naming the session (default x-session-id)
      --session-cookie NAME  cookie naming the session when the header is absent
                             (else each client connection is a session)
      --service NAME=HOST    name the folder of calls to HOST (or HOST:PORT) NAME; repeatable
      --redact               mask authorization, cookies, API keys and secret query parameters in
                             what is stored (off by default when recording; exports always redact)
      --redact-path PATH     also mask this JSONPath in JSON bodies (with --redact); repeatable
      --max-body BYTES       bytes kept per body (default 10485760); larger bodies are not stored
  -v, --verbose              print a line per recorded pair
  -h, --help                 show this help
`;

function port(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port (0-65535), got '${v}'`);
  return n;
}

/** `--service NAME=HOST[:PORT]` → lookup by `host:port` first, then host. */
function serviceMap(specs: string[] | undefined): ((host: string, url: string) => string | undefined) | undefined {
  if (!specs?.length) return undefined;
  const byKey = new Map<string, string>();
  for (const s of specs) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) throw new UsageError(`--service expects NAME=HOST[:PORT], got '${s}'`);
    byKey.set(s.slice(eq + 1).trim().toLowerCase(), s.slice(0, eq).trim());
  }
  return (host, url) => {
    let authority = host.toLowerCase();
    try {
      const u = new URL(url);
      authority = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`.toLowerCase();
    } catch {
      // host only
    }
    return byKey.get(authority) ?? byKey.get(host.toLowerCase());
  };
}

function line(pair: PairInput, kind: RecordKind): string {
  const tag = kind === 'inbound' ? 'in ' : kind === 'tunnel' ? 'tun' : 'out';
  const svc = pair.service ? `${pair.service} ` : '';
  const status = pair.response?.status ?? '-';
  const ms = pair.duration !== undefined ? ` ${Math.round(pair.duration)}ms` : '';
  return `${tag} ${pair.session} #${pair.seq} ${svc}${pair.request.method} ${pair.request.url} → ${status}${ms}\n`;
}

/** The command body; resolves when `signal` aborts (Ctrl-C in the CLI) and the recorder has stopped. */
export async function runRecord(args: string[], io: Io, signal: AbortSignal): Promise<number> {
  const { values } = parse(args, {
    'app-port': { type: 'string' },
    'app-host': { type: 'string' },
    'app-url': { type: 'string' },
    'in-port': { type: 'string' },
    'out-port': { type: 'string' },
    host: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'session-header': { type: 'string' },
    'session-cookie': { type: 'string' },
    service: { type: 'string', multiple: true },
    redact: { type: 'boolean' },
    'redact-path': { type: 'string', multiple: true },
    'max-body': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  });
  if (values.help) {
    io.out.write(help);
    return EXIT.ok;
  }
  let appUrl: string;
  if (values['app-url']) {
    try {
      appUrl = new URL(values['app-url']).href;
    } catch {
      throw new UsageError(`--app-url must be a URL, got '${values['app-url']}'`);
    }
  } else {
    if (values['app-port'] === undefined) throw new UsageError('--app-port is required (the port your app listens on)');
    const p = port('app-port', values['app-port'], 0);
    if (p === 0) throw new UsageError('--app-port must be the port the app listens on, not 0');
    const h = values['app-host'] ?? '127.0.0.1';
    appUrl = `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${p}`;
  }
  let maxBodyBytes: number | undefined;
  if (values['max-body'] !== undefined) {
    maxBodyBytes = Number(values['max-body']);
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0) throw new UsageError(`--max-body must be a byte count, got '${values['max-body']}'`);
  }
  if (values['redact-path']?.length && !values.redact) throw new UsageError('--redact-path needs --redact');
  const out = resolve(io.cwd, values.out ?? 'local-traffic');
  const ctx = cliContext(io);

  const rec = await startRecorder({
    appUrl,
    inPort: port('in-port', values['in-port'], 4143),
    outPort: port('out-port', values['out-port'], 4140),
    host: values.host,
    out,
    sessionHeader: values['session-header'],
    sessionCookie: values['session-cookie'],
    redact: !!values.redact,
    redactPaths: values['redact-path'],
    serviceName: serviceMap(values.service),
    maxBodyBytes,
    ctx,
    onPair: values.verbose ? (p, k) => io.out.write(line(p, k)) : undefined,
  }).catch((e: Error) => {
    throw new CliError(e.message, EXIT.runtime);
  });
  io.out.write(
    `reprise record: ${appUrl}\n` +
      `  inbound   ${rec.inUrl}   send client traffic here\n` +
      `  outbound  ${rec.outProxyUrl}   start the app with HTTP_PROXY=${rec.outProxyUrl} (and no NO_PROXY entry for its dependencies)\n` +
      `  writing   ${rec.outDir}${values.redact ? ' (secrets redacted)' : ''}\n` +
      `Ctrl-C to stop.\n`,
  );
  if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  io.err.write('reprise record: stopping…\n');
  await rec.stop();
  const s = rec.stats();
  io.out.write(
    `recorded ${s.inbound} inbound, ${s.outbound} outbound, ${s.tunnels} tunnel${s.tunnels === 1 ? '' : 's'}` +
      `${s.errors ? ` (${s.errors} not recorded: see warnings)` : ''} → ${rec.outDir}\n` +
      (rec.files().length ? rec.files().map((f) => `  ${f}\n`).join('') : ''),
  );
  return EXIT.ok;
}

export const recordCommand = {
  summary: 'record traffic: a proxy in front of the app and one for its HTTP_PROXY',
  help,
  async run(args: string[], io: Io): Promise<number> {
    return interruptible((signal) => runRecord(args, io, signal));
  },
};
