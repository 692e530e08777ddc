/** Helpers of the webview tests: bundles built into a temp folder, run folders with hostile content. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunWriter } from '../../../src/engine/report/run-folder.js';
import type { RequestResult, UnmatchedCall } from '../../../src/shared/results.js';

export const repoRoot = path.resolve(__dirname, '../../..');

/** Build the webview bundles (as `npm run build` does) into `outdir`. */
export async function buildBundles(outdir: string, screens = ['report', 'diff', 'unmatched']): Promise<void> {
  const mod = (await import(pathToFileURL(path.join(repoRoot, 'webview-ui', 'build.mjs')).href)) as {
    buildWebviews(o: { outdir: string; screens: string[] }): Promise<unknown>;
  };
  await mod.buildWebviews({ outdir, screens });
}

/** Strings that would run code if they were ever inserted as HTML or followed as links. */
export const HOSTILE = {
  script: '<script>window.__pwned="script"</script>',
  img: '<img src=x onerror="window.__pwned=\'img\'">',
  js: 'javascript:window.__pwned="js"',
  svg: '<svg onload="window.__pwned=\'svg\'"></svg>',
  close: '</script><script>window.__pwned="close"</script>',
  iframe: '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
};

export const hostileBody = (n: number) =>
  JSON.stringify({ note: HOSTILE.script, [HOSTILE.img]: HOSTILE.js, link: HOSTILE.js, svg: HOSTILE.svg, close: HOSTILE.close, iframe: HOSTILE.iframe, total: n });

export function hostileResult(i: number, outcome: RequestResult['outcome'] = 'fail'): RequestResult {
  return {
    pairId: `p-${i}-${HOSTILE.img}`,
    session: `s-${HOSTILE.script}`,
    seq: i,
    method: 'POST',
    url: `/orders?q=${HOSTILE.script}&next=${HOSTILE.js}`,
    endpoint: `POST /orders/${HOSTILE.svg}`,
    startedAt: new Date(1_700_000_000_000 + i).toISOString(),
    latencyMs: 5 + (i % 7),
    expectedStatus: 201,
    actualStatus: 201,
    outcome,
    validation:
      outcome === 'pass'
        ? { pass: true, statusMatch: true, headersMatch: true, bodyMatch: true, fieldMatchRate: 1, fieldsCompared: 3, diffs: [] }
        : {
            pass: false,
            statusMatch: true,
            headersMatch: true,
            bodyMatch: false,
            fieldMatchRate: 0.5,
            fieldsCompared: 4,
            diffs: [
              { path: '$.note', kind: 'changed', expected: HOSTILE.script, actual: HOSTILE.img },
              { path: `$['${HOSTILE.close}']`, kind: 'added', actual: HOSTILE.close },
            ],
          },
    actual: { status: 201, headers: { 'content-type': 'application/json', 'x-evil': HOSTILE.img, authorization: 'Bearer secret-token-123' }, body: hostileBody(i) },
  };
}

export function hostileCall(i: number): UnmatchedCall {
  return {
    id: `call-${i}`,
    service: `pay${HOSTILE.img}`,
    at: new Date(1_700_000_000_000).toISOString(),
    request: {
      method: 'POST',
      url: `/v1/charges?x=${HOSTILE.script}`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk_live_secret', 'x-evil': HOSTILE.svg },
      body: hostileBody(i),
    },
    nearest: [
      {
        stubId: `stub-${HOSTILE.script}`,
        distance: 1.5,
        summary: `POST /v1/charges body≈${HOSTILE.img}`,
        failures: [{ matcher: 'body', field: '$.note', expected: HOSTILE.js, actual: HOSTILE.script, message: `body differs at $.note: ${HOSTILE.iframe}` }],
      },
    ],
    answeredWith: { status: 501 },
  };
}

/** A finished run folder in `runsDir` with `n` results (every third fails) and one hostile unmatched call. */
export async function writeHostileRun(runsDir: string, n: number, opts: { unmatched?: number } = {}): Promise<string> {
  const w = await RunWriter.create(runsDir, { target: 'http://127.0.0.1:1', traffic: ['/tmp/none.jsonl'], summaryEveryResults: 1_000_000 });
  for (let i = 0; i < n; i++) await w.result(hostileResult(i, i % 3 === 0 ? 'fail' : 'pass'));
  for (let i = 0; i < (opts.unmatched ?? 1); i++) await w.unmatched(hostileCall(i));
  await w.finish({
    gates: [
      { name: 'body_match_rate', expression: '>= 0.95', measured: 0.66, pass: false },
      { name: `status_pass_rate`, expression: '>= 0.99', measured: 1, pass: true },
    ],
  });
  return w.dir;
}

export async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
