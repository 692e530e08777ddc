/**
 * A bundle of the extension that is loaded the first time it is needed, never during activation.
 *
 * dist/extension.js (what VS Code loads to activate, also whenever any YAML file opens) holds wiring only:
 * views, command and provider registrations. The heavy implementations are their own bundles beside it,
 * built by scripts/build.mjs:
 *   dist/engine.js     the engine (src/engine/index.ts)                    → EngineHost
 *   dist/language.js   reprise.yaml language features (language/services.ts) → language/index.ts
 *   dist/webviews.js   the webview panels and their zod-checked IPC (webviews/panels.ts) → webviews/index.ts
 * Modules here import those only as types; the bundle is `require`d by a computed path, which esbuild
 * leaves alone, so its code (zod, yaml, the engine) is not pulled into dist/extension.js.
 */
import * as path from 'node:path';

/** What the extension API says about a lazy bundle (tests assert activation loaded none of them). */
export interface BundleState {
  readonly isLoaded: boolean;
  /** Milliseconds the first require took (undefined until loaded). */
  readonly loadMs: number | undefined;
}

export class LazyBundle<T> implements BundleState {
  private mod: T | undefined;
  loadMs: number | undefined;
  /** Absolute path of the bundle file. */
  readonly file: string;

  /**
   * @param extensionPath the extension's folder (context.extensionPath)
   * @param name the bundle's file name in dist/, e.g. `language.js`
   * @param onLoad told once, after the first load (the caller logs it)
   */
  constructor(
    extensionPath: string,
    name: string,
    private readonly onLoad?: (file: string, ms: number) => void,
  ) {
    this.file = path.join(extensionPath, 'dist', name);
  }

  get isLoaded(): boolean {
    return this.mod !== undefined;
  }

  /** The bundle's exports, loaded on first call. */
  get(): T {
    if (!this.mod) {
      const t0 = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.mod = require(this.file) as T;
      this.loadMs = performance.now() - t0;
      this.onLoad?.(this.file, this.loadMs);
    }
    return this.mod;
  }
}
