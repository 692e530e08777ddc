/** run.json's types: defined by the result contract in src/shared/results.ts (owned there). */
export type { Metrics, GateResult, EndpointStats, PhaseRecord, RunSummary, RunWriterProcess, FailureBrief } from '../../shared/results.js';
