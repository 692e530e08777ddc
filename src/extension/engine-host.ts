/**
 * Lazy access to the engine. The engine is its own bundle (dist/engine.js, built from src/engine/index.ts)
 * that is `require`d the first time something needs it — never during activation — so activating the
 * extension costs only the small extension bundle. Only types are imported from the engine here.
 */
import type * as vscode from 'vscode';
import type * as EngineModule from '../engine/index.js';
import type { RepriseConfig } from '../engine/config/types.js';
import type { EngineContext } from '../engine/context.js';
import { engineLogger } from './log.js';
import { LazyBundle } from './lazy-bundle.js';

export type Engine = typeof EngineModule;

/** reprise.yaml has errors: `issues` are formatted `file:line:col: error [code] key: message`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file} has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n${issues.join('\n')}`);
  }
}

export class EngineHost {
  private readonly bundle: LazyBundle<Engine>;

  constructor(
    extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.bundle = new LazyBundle<Engine>(extensionPath, 'engine.js', (file, ms) => this.log.info(`engine loaded from ${file} in ${ms.toFixed(1)} ms`));
  }

  get isLoaded(): boolean {
    return this.bundle.isLoaded;
  }

  /** Milliseconds the first require of dist/engine.js took (undefined until loaded). */
  get loadMs(): number | undefined {
    return this.bundle.loadMs;
  }

  /** The engine module, loaded on first call. */
  engine(): Engine {
    return this.bundle.get();
  }

  /** A fresh engine context logging into the Reprise channel. */
  context(): EngineContext {
    return this.engine().defaultContext({ logger: engineLogger(this.log) });
  }

  /** Full load and validation of reprise.yaml; throws ConfigError listing every problem. */
  async loadConfig(file: string): Promise<RepriseConfig> {
    const e = this.engine();
    const result = await e.config.loadConfig(file);
    for (const i of result.issues.filter((x) => x.severity === 'warning')) this.log.warn(e.config.formatIssue(i));
    if (!result.config) {
      throw new ConfigError(file, result.issues.filter((x) => x.severity === 'error').map((i) => e.config.formatIssue(i)));
    }
    return result.config;
  }
}
