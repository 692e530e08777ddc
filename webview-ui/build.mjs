// Webview bundles (browser): one entry per screen → dist/webview/<screen>.js + <screen>.css.
// Monaco's editor and JSON workers are bundled first and inlined into the unmatched screen as text (started
// from blob: URLs, so the CSP needs only `worker-src blob:`). Used by scripts/build.mjs and by tests that
// need the bundles (buildWebviews({ outdir })).
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENS = ['report', 'diff', 'unmatched'];

async function workerSources(production) {
  const entries = {
    editor: 'monaco-editor/editor/editor.worker.js',
    json: 'monaco-editor/language/json/json.worker.js',
  };
  const out = {};
  await Promise.all(
    Object.entries(entries).map(async ([name, entry]) => {
      const r = await esbuild.build({
        entryPoints: [entry],
        absWorkingDir: path.resolve(here, '..'),
        bundle: true,
        write: false,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        logLevel: 'warning',
        legalComments: 'none',
      });
      out[name] = r.outputFiles[0].text;
    }),
  );
  return out;
}

function workerPlugin(sources) {
  return {
    name: 'reprise-workers',
    setup(build) {
      build.onResolve({ filter: /^reprise-worker:/ }, (a) => ({ path: a.path.slice('reprise-worker:'.length), namespace: 'reprise-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'reprise-worker' }, (a) => ({ contents: sources[a.path], loader: 'text' }));
    },
  };
}

/** Options for the screens' esbuild build. */
export async function webviewBuildOptions({ outdir = path.resolve(here, '../dist/webview'), production = false, screens = SCREENS } = {}) {
  const needsWorkers = screens.includes('unmatched');
  const sources = needsWorkers ? await workerSources(production) : {};
  return {
    entryPoints: Object.fromEntries(screens.map((s) => [s, path.join(here, 'src', s, 'main.ts')])),
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
    assetNames: '[name]-[hash]',
    plugins: [workerPlugin(sources)],
    define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
  };
}

export async function buildWebviews(opts = {}) {
  return esbuild.build(await webviewBuildOptions(opts));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  await buildWebviews({ production: process.argv.includes('--production') });
  console.log(`webviews built in ${Date.now() - t} ms`);
}
