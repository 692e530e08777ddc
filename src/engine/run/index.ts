/**
 * The run pipeline: `reprise run` (pipeline.ts, phase by phase), its options and validation options
 * (options.ts), the session plan handed to the mocks and the replay (plan.ts), the traffic it replays
 * (inbound.ts), its gates (gates.ts), per-endpoint figures (endpoints.ts), the mocks it uses (run-mocks.ts),
 * cutoffs that end a failing run early (cutoffs.ts), and `reprise learn`, which replays twice to learn noise
 * (learn.ts).
 */
export { runReplay } from './pipeline.js';
export { SUT_LOG_FILE, validateOptionsFor, noiseAwareOptions, noiseFileOf, runValidateOptions, type RunOptions, type RunOutcome } from './options.js';
export { sessionPlan, replayConfigFor, sessionHooks, type SessionPlan } from './plan.js';
export { inboundPairs, countInbound, type InboundSelection } from './inbound.js';
export { checkGates, verdictGates } from './gates.js';
export { endpointDeltas, StatusCounts } from './endpoints.js';
export { RunMocks } from './run-mocks.js';
export { CutoffMonitor, compileCutoff, cutoffProblem, CUTOFF_INFO, CUTOFF_NAMES, type CutoffName, type CompiledCutoff, type CutoffsConfig } from './cutoffs.js';
export { learn, suggestionYaml, type LearnOptions, type LearnOutcome } from './learn.js';
