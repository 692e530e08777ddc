export { KNOWN_GATES, GATE_NAMES, isKnownGate, gateInfo, type GateInfo, type GateKind, type GateName } from './known.js';
export {
  parseGate,
  compileGate,
  gateProblem,
  explainGate,
  GateSyntaxError,
  type GateExpr,
  type GateOp,
  type GateUnit,
  type CompiledGate,
} from './parse.js';
export { evaluateGates, evaluateCompiled, gatesPassed, compare, NO_BASELINE_NOTE, defaultDbGates, DEFAULT_QUERY_MATCH_RATE, type GateMetrics } from './evaluate.js';
