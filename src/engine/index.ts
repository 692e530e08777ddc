/**
 * The engine's public surface: what the CLI and the extension call. Each area is a namespace (their
 * barrels share a few names), plus the run entry point and the context helpers at the top level.
 * The extension loads this as its own bundle (dist/engine.js) on first use, so activation stays cheap.
 */
export * as config from './config/index.js';
export * as store from './store/index.js';
export * as replay from './replay/index.js';
export * as mocks from './mocks/index.js';
export * as validate from './validate/index.js';
export * as gates from './gates/index.js';
export * as report from './report/index.js';
export * as record from './record/index.js';
export * as run from './run/index.js';
export { runReplay, sessionPlan, type RunOptions, type RunOutcome, type SessionPlan } from './run/index.js';
export { defaultContext, consoleLogger, silentLogger, systemClock, type EngineContext, type EngineEvents, type Logger, type Clock } from './context.js';
export { TypedEmitter } from './events.js';
