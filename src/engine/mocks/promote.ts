/**
 * Promote an unmatched call to a stub (engine side): either loosen the nearest stub just enough that it
 * matches the call, or build a new stub from the call with a chosen response; then save it in the stub folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { compileRequestMatcher, explainRequest } from './matchers.js';
import { MockRequest } from './request.js';
import { requestMatcherFor } from './from-traffic.js';
import type { BodyMatcher, RequestMatcherDef, StubDefinition, StubResponse } from './stub.js';
import { StubDefinitionSchema } from './stub.js';
import type { MatcherFailure, UnmatchedCall } from './types.js';

export type PromoteMode = 'loosen-nearest' | 'new';

function callRequest(call: UnmatchedCall): MockRequest {
  const body = call.request.body === undefined ? Buffer.alloc(0) : Buffer.from(call.request.body, call.request.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  return new MockRequest(call.request.method, call.request.url, call.request.headers, body);
}

/** `$.a[0]["b c"]` (as in failures) → `$.a[0]['b c']` (jsonpath-plus bracket notation). */
function toJsonPath(field: string): string {
  return field.replace(/\["((?:[^"\\]|\\.)*)"\]/g, (_m, k: string) => `['${JSON.parse(`"${k}"`).replace(/'/g, "\\'")}']`);
}

function segs(p: string): string[] {
  return p.split('/');
}

function loosen(def: RequestMatcherDef, failures: MatcherFailure[], req: MockRequest): RequestMatcherDef {
  const out: RequestMatcherDef = structuredClone(def);
  for (const f of failures) {
    switch (f.matcher) {
      case 'method':
        out.method = req.method;
        break;
      case 'path': {
        if (out.path !== undefined) {
          const a = segs(out.path);
          const b = segs(req.path);
          if (a.length === b.length) {
            let n = 0;
            out.pathTemplate = a.map((s, i) => (s === b[i] ? s : `{p${++n}}`)).join('/');
            delete out.path;
          } else out.path = req.path;
        } else {
          delete out.pathTemplate;
          delete out.pathRegex;
          out.path = req.path;
        }
        break;
      }
      case 'query':
        if (f.field) {
          out.query ??= {};
          out.query[f.field] = { ignore: true };
        }
        break;
      case 'header':
        if (f.field && out.headers) {
          for (const k of Object.keys(out.headers)) if (k.toLowerCase() === f.field.toLowerCase()) delete out.headers[k];
        }
        break;
      case 'body':
        break; // handled below, per body matcher
      case 'scenario':
        break; // the draft is standalone (no scenario)
    }
  }
  const bodyFailures = failures.filter((f) => f.matcher === 'body');
  if (bodyFailures.length && out.body !== undefined) {
    const bodies = Array.isArray(out.body) ? out.body : [out.body];
    const kept: BodyMatcher[] = [];
    for (const b of bodies) {
      const single = compileRequestMatcher({ body: b });
      const fails = explainRequest(single, req);
      if (!fails.length) {
        kept.push(b);
        continue;
      }
      if ('equalToJson' in b && req.json !== undefined && fails.every((x) => x.field?.startsWith('$'))) {
        // ignore exactly the differing fields
        const paths = new Set(b.ignorePaths ?? []);
        for (const x of fails) if (x.field && x.field !== '$') paths.add(toJsonPath(x.field));
        const candidate: BodyMatcher = { ...b, ignorePaths: [...paths] };
        if (!explainRequest(compileRequestMatcher({ body: candidate }), req).length) {
          kept.push(candidate);
          continue;
        }
      }
      if ('jsonPath' in b) {
        const failing = new Set(fails.map((x) => x.field));
        const rest = b.jsonPath.filter((c) => !failing.has(c.path));
        if (rest.length) kept.push({ jsonPath: rest });
        continue;
      }
      // otherwise the body matcher is dropped: the smallest loosening that still matches
    }
    if (kept.length === 0) delete out.body;
    else out.body = kept.length === 1 ? kept[0] : kept;
  }
  return out;
}

/**
 * A stub draft from an unmatched call. `loosen-nearest` needs the nearest stub; `new` takes the response
 * given, else the nearest stub's. The draft always matches the call (checked).
 */
export function draftStubFromUnmatched(
  call: UnmatchedCall,
  nearest: StubDefinition | undefined,
  mode: PromoteMode,
  response?: StubResponse,
): StubDefinition {
  const req = callRequest(call);
  let request: RequestMatcherDef;
  if (mode === 'loosen-nearest') {
    if (!nearest) throw new Error('promote: loosen-nearest needs the nearest stub');
    request = loosen(nearest.request, explainRequest(compileRequestMatcher(nearest.request), req), req);
  } else {
    request = requestMatcherFor({ method: call.request.method, url: call.request.url, headers: call.request.headers, body: call.request.body, bodyEncoding: call.request.bodyEncoding }, []);
  }
  const resp = response ?? nearest?.response;
  if (!resp) throw new Error('promote: a new stub needs a response (none given and no nearest stub)');
  const still = explainRequest(compileRequestMatcher(request), req);
  if (still.length) throw new Error(`promote: draft still does not match the call: ${still.map((f) => f.message).join('; ')}`);
  const hash = createHash('sha1').update(JSON.stringify(request)).digest('hex').slice(0, 8);
  const draft: StubDefinition = {
    id: `promoted-${hash}`,
    service: call.service,
    priority: nearest?.priority !== undefined ? Math.min(nearest.priority, 4) : 4,
    request,
    response: structuredClone(resp),
    ...(mode === 'loosen-nearest' && nearest?.delayMs !== undefined ? { delayMs: nearest.delayMs } : {}),
  };
  return StubDefinitionSchema.parse(draft);
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'stub';
}

/** Write a stub to `<dir>/<method>-<path>-<id>.json` (never overwriting); returns the file path. */
export async function saveStub(dir: string, stub: StubDefinition): Promise<string> {
  StubDefinitionSchema.parse(stub);
  await fs.mkdir(dir, { recursive: true });
  const r = stub.request;
  const base = slug(`${r.method ?? 'any'}-${r.path ?? r.pathTemplate ?? 'pattern'}-${stub.id ?? 'stub'}`).toLowerCase();
  const { source: _source, ...clean } = stub;
  const text = JSON.stringify(clean, null, 2) + '\n';
  for (let n = 0; ; n++) {
    const file = path.join(dir, `${base}${n ? `-${n + 1}` : ''}.json`);
    try {
      await fs.writeFile(file, text, { flag: 'wx' });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw e;
    }
  }
}
