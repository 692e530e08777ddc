// Bundles the CLI and the extension with esbuild.
// The CLI bundle is built WITHOUT `external: ['vscode']`, so a stray `vscode` import in the engine,
// the CLI or shared code fails this build at once.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { webviewBuildOptions } from '../webview-ui/build.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

// dist/extension.js is evaluated on every activation, and activation happens whenever any YAML file opens
// (`onLanguage:yaml`), so it holds wiring only. Its heavy parts are bundles of their own, require()d on first
// use (src/extension/lazy-bundle.ts). This check fails the build when a static import drags one of them, or
// any npm package (zod, yaml, …), or the engine back into it; import those as types only.
const LIGHT_FORBIDDEN = [
  /(^|\/)node_modules\//,
  /^src\/engine\//,
  /^src\/shared\//,
  /^src\/extension\/language\/(?!index\.ts$|documents\.ts$)/,
  /^src\/extension\/webviews\/(?!index\.ts$|diff-documents\.ts$)/,
];
const keepExtensionLight = {
  name: 'keep-extension-light',
  setup(build) {
    build.onEnd((result) => {
      if (!result.metafile) return;
      const heavy = Object.keys(result.metafile.inputs).filter((f) => LIGHT_FORBIDDEN.some((re) => re.test(f)));
      if (!heavy.length) return;
      const text = `dist/extension.js must stay light, but it bundles ${heavy.length} module(s) that belong in a lazily loaded bundle: ${heavy.slice(0, 8).join(', ')}${heavy.length > 8 ? ', …' : ''} (import them as types, load the code through LazyBundle)`;
      throw new Error(text); // esbuild reports it as a build error (in --watch too)
    });
  },
};

// `import * as vscode from 'vscode'` in each of ~20 modules makes esbuild copy the whole API object (~190
// properties, as getters) once per module when the bundle loads. This plugin gives the bundles one shared
// module instead, which reads the API's top-level names (from @types/vscode) once.
const vscodeNames = [
  ...readFileSync(createRequire(import.meta.url).resolve('@types/vscode/index.d.ts'), 'utf8').matchAll(
    /^\texport (?:class|enum|namespace|function|const|let) (\w+)/gm,
  ),
].map((m) => m[1]);
const vscodeOnce = {
  name: 'vscode-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-once' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-once' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-once' }, () => ({
      contents: `const api = require('vscode');\nexport const { ${vscodeNames.join(', ')} } = api;\n`,
      loader: 'js',
    }));
  },
};
const extensionSide = { external: ['vscode'], plugins: [vscodeOnce] };

const builds = [
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The banner and footer stamp when the bundle starts and ends evaluating: the extension reports that as
  // its load time (src/extension/extension.ts), apart from the time the host then takes to call activate().
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    ...extensionSide,
    banner: { js: 'globalThis.__repriseLoadStart = performance.now();' },
    footer: { js: 'globalThis.__repriseLoadEnd = performance.now();' },
    metafile: true,
    plugins: [vscodeOnce, keepExtensionLight],
  },
  // The engine as its own bundle: the extension require()s it on first use (src/extension/engine-host.ts), so
  // activation does not load it. Built without `external: ['vscode']`, like the CLI.
  { ...common, entryPoints: ['src/engine/index.ts'], outfile: 'dist/engine.js' },
  // The extension's heavy parts, also require()d on first use (src/extension/lazy-bundle.ts): the reprise.yaml
  // language features (config schema, YAML parser, store readers) and the webview panels (zod-checked IPC).
  { ...common, entryPoints: ['src/extension/language/services.ts'], outfile: 'dist/language.js', ...extensionSide },
  { ...common, entryPoints: ['src/extension/webviews/panels.ts'], outfile: 'dist/webviews.js', ...extensionSide },
  // The YAML parser for the views' light read of reprise.yaml (src/extension/workspace-config.ts).
  { ...common, entryPoints: ['src/extension/yaml-parse.ts'], outfile: 'dist/yaml.js' },
];

// Webviews (browser bundles, one per screen → dist/webview/<screen>.js + .css): see webview-ui/build.mjs.
builds.push(await webviewBuildOptions({ production }));

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
  console.log('[reprise] watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
