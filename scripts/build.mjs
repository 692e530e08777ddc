// Bundles the CLI and the extension with esbuild.
// The CLI bundle is built WITHOUT `external: ['vscode']`, so a stray `vscode` import in the engine,
// the CLI or shared code fails this build at once.
import * as esbuild from 'esbuild';
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

const builds = [
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The banner stamps when the bundle starts evaluating, so activation time can include module loading.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], banner: { js: 'globalThis.__repriseLoadStart = performance.now();' } },
  // The engine as its own bundle: the extension require()s it on first use (src/extension/engine-host.ts), so
  // activation does not load it. Built without `external: ['vscode']`, like the CLI.
  { ...common, entryPoints: ['src/engine/index.ts'], outfile: 'dist/engine.js' },
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
