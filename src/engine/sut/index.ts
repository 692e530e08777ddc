/** The service under test: process, readiness, resource sampling, phases. */
export { ServiceProcess, groupAlive, groupMembers, describeExit, type ExitInfo, type StopResult, type StartProcessOptions } from './process.js';
export { waitReady, readyUrl, ReadyError, type WaitReadyOptions, type WaitReadyResult } from './ready.js';
export { ResourceSampler, parseProcStat, treeOf, readAllProcs, pageSize, type ResourceUsage, type ProcInfo } from './resources.js';
export { PhaseRecorder, PhaseError } from './phases.js';
export { startBackends, startService, stopService, serviceEnv, expandEnv, filterPairs, type BackendsOptions, type ServiceOptions } from './stack.js';
