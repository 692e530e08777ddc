import path from 'node:path';
import { promises as fs, existsSync } from 'node:fs';
import { parse, findConfig, loadConfigOrExit, UsageError, CliError, EXIT, type Io } from '../util.js';
import type { MockServiceConfig, RepriseConfig } from '../../engine/config/types.js';
import type { SourceIssue } from '../../engine/store/model.js';
import {
  loadServiceStubs,
  draftStubFromUnmatched,
  saveStub,
  toWireMockMappings,
  summarizeRequest,
  StubResponseSchema,
  redactHeaders,
  type StubDefinition,
  type StubResponse,
  type PromoteMode,
} from '../../engine/mocks/index.js';
import type { UnmatchedCall } from '../../shared/results.js';
import { readUnmatched, runDirOf, UNMATCHED_FILE } from '../../engine/report/index.js';
import { isSecretHeader } from '../../engine/redact.js';
import { outboundOf, selectMocks, mockSessionsDir } from './mock.js';

const help = `Usage: reprise stubs <list|promote|export> [options]

  reprise stubs list [--service S] [--json]
      Every stub each mock would serve — from its stub folder (hand-written, promoted, WireMock mappings/)
      and from captured outbound traffic — with counts per service.

  reprise stubs promote <run|session> <call-id> [--from-nearest | --response FILE] [--dry-run]
      Turn an unmatched mock call into a stub in the service's stub folder and print its path.
      <run|session>: a run id, "latest", a run folder, or a 'reprise mock' session folder or id.
      <call-id>: the call's id from unmatched.jsonl (a unique prefix is enough).
        (default)        a new stub matching exactly this call, answered like the nearest stub
        --from-nearest   loosen the nearest stub just enough that it matches this call too
        --response FILE  a new stub matching this call, answered with FILE: {"status": 200, "json": {…}}
                         (or "body", "headers", "bodyEncoding")

  reprise stubs export --service S --out DIR [--keep-secrets]
      Write the service's stubs as WireMock mappings: DIR/mappings/<service>.json. Secret headers
      (authorization, cookie, set-cookie, …) are redacted unless --keep-secrets.

Options:
  -c, --config FILE       config file (default: ./reprise.yaml)
  -s, --service S         one service (list: comma-separated; default all)
  -h, --help              show this help
`;

type Origin = 'file' | 'wiremock' | 'traffic';

function originOf(stub: StubDefinition, cfg: MockServiceConfig): Origin {
  if (stub.source?.pair !== undefined) return 'traffic';
  const f = stub.source?.file;
  if (f && cfg.stubs && path.resolve(f).startsWith(path.join(path.resolve(cfg.stubs), 'mappings') + path.sep)) return 'wiremock';
  return 'file';
}

function issueLine(i: SourceIssue): string {
  return `${i.severity}: ${i.file || '(traffic)'}${i.line ? `:${i.line}` : ''}${i.entry !== undefined ? ` entry ${i.entry}` : ''}: ${i.message}\n`;
}

async function loadFor(config: RepriseConfig, cfg: MockServiceConfig): Promise<{ stubs: StubDefinition[]; issues: SourceIssue[] }> {
  const readIssues: SourceIssue[] = [];
  const r = await loadServiceStubs(cfg, outboundOf(config, cfg, undefined, (i) => readIssues.length < 1000 && readIssues.push(i)));
  return { stubs: r.stubs, issues: [...readIssues, ...r.issues] };
}

function responseLine(r: StubResponse): string {
  const size = r.body !== undefined ? (r.bodyEncoding === 'base64' ? Math.floor((r.body.length * 3) / 4) : Buffer.byteLength(r.body)) : r.json !== undefined ? Buffer.byteLength(JSON.stringify(r.json)) : 0;
  return `${r.status}${size ? ` (${size} B)` : ''}`;
}

async function list(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', short: 'c' }, service: { type: 'string', short: 's' }, json: { type: 'boolean' } });
  const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
  const mocks = selectMocks(config, values.service);
  const out: Array<{ service: string; stubsDir: string; counts: Record<Origin | 'total', number>; stubs: Array<{ id: string; origin: Origin; request: string; response: string; source: string; sequence?: string; scenario?: string }>; issues: SourceIssue[] }> = [];
  for (const cfg of mocks) {
    const { stubs, issues } = await loadFor(config, cfg);
    const counts = { total: stubs.length, file: 0, wiremock: 0, traffic: 0 };
    const rows = stubs.map((s, i) => {
      const origin = originOf(s, cfg);
      counts[origin]++;
      const src = s.source?.pair !== undefined ? `pair ${s.source.pair}` : s.source?.file ? `${path.relative(io.cwd, s.source.file)}${s.source.line ? `:${s.source.line}` : ''}` : '';
      return {
        id: s.id ?? `stub-${i + 1}`,
        origin,
        request: summarizeRequest(s.request),
        response: responseLine(s.response),
        source: src,
        ...(s.sequence ? { sequence: `${s.sequence.key}#${s.sequence.index + 1}` } : {}),
        ...(s.scenario ? { scenario: `${s.scenario.name}${s.scenario.requiredState ? `@${s.scenario.requiredState}` : ''}` } : {}),
      };
    });
    out.push({ service: cfg.service, stubsDir: cfg.stubs, counts, stubs: rows, issues: issues.filter((i) => i.severity !== 'info') });
  }
  if (values.json) {
    io.out.write(JSON.stringify(out, null, 2) + '\n');
    return EXIT.ok;
  }
  for (const s of out) {
    io.out.write(`${s.service}: ${s.counts.total} stub${s.counts.total === 1 ? '' : 's'} (${s.counts.file} from files, ${s.counts.wiremock} from WireMock mappings, ${s.counts.traffic} from traffic) — stub folder ${path.relative(io.cwd, s.stubsDir) || '.'}\n`);
    for (const r of s.stubs) {
      const extra = [r.sequence ? `seq ${r.sequence}` : '', r.scenario ? `scenario ${r.scenario}` : ''].filter(Boolean).join(' ');
      io.out.write(`  ${r.request}  → ${r.response}  ${r.origin}${extra ? ` ${extra}` : ''}  ${r.id}${r.source && r.origin !== 'traffic' ? `  (${r.source})` : ''}\n`);
    }
    for (const i of s.issues) io.err.write(issueLine(i));
  }
  return EXIT.ok;
}

/** The folder holding unmatched.jsonl for a run ref or a mock-session ref. */
async function unmatchedDir(config: RepriseConfig, ref: string, cwd: string): Promise<string> {
  const p = path.resolve(cwd, ref);
  if (existsSync(path.join(p, UNMATCHED_FILE))) return p;
  if (path.basename(p) === UNMATCHED_FILE && existsSync(p)) return path.dirname(p);
  const session = path.join(mockSessionsDir(config), ref);
  if (/^[\w.-]+$/.test(ref) && existsSync(path.join(session, UNMATCHED_FILE))) return session;
  try {
    return await runDirOf(config.runs_dir, ref, cwd);
  } catch (e) {
    throw new CliError(`${(e as Error).message}; no mock session '${ref}' in ${mockSessionsDir(config)} either`, EXIT.usage);
  }
}

async function readResponseFile(file: string): Promise<StubResponse> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`--response ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new CliError(`--response ${file}: not JSON: ${(e as Error).message}`, EXIT.usage);
  }
  const r = StubResponseSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CliError(`--response ${file}: not a stub response${i.path.length ? ` at ${i.path.join('.')}` : ''}: ${i.message} (expected {"status": 200, "json": …} or "body")`, EXIT.usage);
  }
  return r.data;
}

async function promote(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { config: { type: 'string', short: 'c' }, 'from-nearest': { type: 'boolean' }, response: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 2) throw new UsageError('promote needs <run|session> and <call-id>');
  if (values['from-nearest'] && values.response) throw new UsageError('use either --from-nearest or --response, not both');
  const [ref, callId] = positionals;
  const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
  const dir = await unmatchedDir(config, ref, io.cwd);
  const calls = await readUnmatched(dir);
  const hits: UnmatchedCall[] = calls.filter((c) => c.id === callId);
  if (!hits.length) hits.push(...calls.filter((c) => typeof c.id === 'string' && c.id.startsWith(callId)));
  if (hits.length === 0) {
    throw new CliError(`no unmatched call '${callId}' in ${path.join(dir, UNMATCHED_FILE)} (${calls.length} call${calls.length === 1 ? '' : 's'} there${calls.length ? `, e.g. ${calls.slice(0, 3).map((c) => c.id).join(', ')}` : ''})`, EXIT.usage);
  }
  if (hits.length > 1) throw new CliError(`call id prefix '${callId}' is ambiguous: ${hits.slice(0, 5).map((c) => c.id).join(', ')}`, EXIT.usage);
  const call = hits[0];
  const cfg = config.mocks.find((m) => m.service === call.service);
  if (!cfg) throw new CliError(`call ${call.id} was made to '${call.service}', which is not a mock in ${config.file}`, EXIT.usage);
  const { stubs } = await loadFor(config, cfg);
  const nearId = call.nearest?.[0]?.stubId;
  const nearest = nearId !== undefined ? stubs.find((s) => s.id === nearId) : undefined;
  const mode: PromoteMode = values['from-nearest'] ? 'loosen-nearest' : 'new';
  if (mode === 'loosen-nearest' && !nearest) {
    throw new CliError(nearId ? `the nearest stub '${nearId}' is no longer among ${cfg.service}'s stubs; use --response FILE` : `call ${call.id} has no nearest stub; use --response FILE`, EXIT.usage);
  }
  const response = values.response ? await readResponseFile(path.resolve(io.cwd, values.response)) : undefined;
  if (mode === 'new' && !response && !nearest) throw new CliError(`call ${call.id} has no nearest stub to take a response from; use --response FILE`, EXIT.usage);
  let draft: StubDefinition;
  try {
    draft = draftStubFromUnmatched(call, nearest, mode, response);
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.runtime);
  }
  io.out.write(`${call.request.method} ${call.request.url} → stub ${summarizeRequest(draft.request)} → ${responseLine(draft.response)}${nearest ? ` (nearest: ${nearest.id})` : ''}\n`);
  if (values['dry-run']) {
    io.out.write(JSON.stringify(draft, null, 2) + '\n');
    return EXIT.ok;
  }
  const file = await saveStub(cfg.stubs, draft);
  io.out.write(`saved ${file}\n`);
  return EXIT.ok;
}

/** Secret headers redacted for export: response values replaced, request matchers reduced to "present". */
function redactStub(s: StubDefinition): StubDefinition {
  const out = structuredClone(s);
  if (out.response.headers) out.response.headers = redactHeaders(out.response.headers);
  if (out.request.headers) {
    for (const k of Object.keys(out.request.headers)) if (isSecretHeader(k) && !('absent' in out.request.headers[k])) out.request.headers[k] = { present: true };
  }
  return out;
}

async function exportCmd(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', short: 'c' }, service: { type: 'string', short: 's' }, out: { type: 'string', short: 'o' }, 'keep-secrets': { type: 'boolean' } });
  if (!values.service || values.service.includes(',')) throw new UsageError('export needs one --service');
  if (!values.out) throw new UsageError('export needs --out DIR');
  const config = await loadConfigOrExit(io, findConfig(io.cwd, values.config));
  const [cfg] = selectMocks(config, values.service);
  const { stubs, issues } = await loadFor(config, cfg);
  for (const i of issues) if (i.severity !== 'info') io.err.write(issueLine(i));
  const exported = values['keep-secrets'] ? stubs : stubs.map(redactStub);
  const { mappings } = toWireMockMappings(exported, { sequence: cfg.sequence });
  const dir = path.join(path.resolve(io.cwd, values.out), 'mappings');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${cfg.service.replace(/[^\w.-]+/g, '-')}.json`);
  await fs.writeFile(file, JSON.stringify({ mappings }, null, 2) + '\n');
  io.out.write(`${mappings.length} mapping${mappings.length === 1 ? '' : 's'} written to ${file}\n`);
  io.out.write(`run: java -jar wiremock-standalone.jar --root-dir ${path.resolve(io.cwd, values.out)}\n`);
  return EXIT.ok;
}

export const stubsCommand = {
  summary: 'list the mocks\' stubs, promote an unmatched call to a stub, export stubs as WireMock mappings',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        return list(rest, io);
      case 'promote':
        return promote(rest, io);
      case 'export':
        return exportCmd(rest, io);
      case undefined:
        throw new UsageError('missing subcommand: list, promote or export');
      default:
        throw new UsageError(`unknown subcommand '${sub}': list, promote or export`);
    }
  },
};
