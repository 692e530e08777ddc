/** The replay orchestrator's public surface. */
export type { RequestResult } from './types.js';
export {
  replay,
  compileFilter,
  DEFAULT_MAX_BODY_BYTES,
  type ReplayOptions,
  type ReplaySummary,
  type ActualResponse,
} from './orchestrator.js';
export {
  createClient,
  sanitizeHeaders,
  errorCode,
  type ReplayClient,
  type ClientOptions,
  type SendRequest,
  type SendOptions,
  type SendResult,
  type SendResponse,
  type SendError,
} from './client.js';
export {
  SessionVars,
  CaptureSource,
  interpolate,
  evaluatePlaceholder,
  evaluateCapture,
  validateCapture,
  applyCaptures,
  correlatePaths,
  defaultRuntimeEnv,
  urlSafe,
  jsonSafe,
  MIN_CORRELATION_LENGTH,
  type RuntimeEnv,
  type CaptureOutcome,
} from './runtime.js';
