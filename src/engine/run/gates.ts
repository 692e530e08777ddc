/**
 * Gates in a run: the "gates" phase checks every gate before any traffic (valid, measurable, baseline
 * resolved); after the replay the verdict gates are the configured ones evaluated against the metrics, plus
 * the two the run always adds (something was replayed; with no gates configured, every request passed).
 */
import type { RepriseConfig } from '../config/types.js';
import type { GateResult, Metrics } from '../report/types.js';
import { evaluateGates, compileGate, GateSyntaxError, gateInfo, defaultDbGates } from '../gates/index.js';
import { resolveBaseline, type ResolvedBaseline } from '../report/index.js';
import { ResourceSampler, type ServiceProcess } from '../sut/index.js';

const RESOURCE_METRICS = new Set(['cpu_avg', 'mem_peak']);

/** Phase "gates": every gate valid and measurable, the baseline resolved. */
export async function checkGates(config: RepriseConfig, runId: string, service: ServiceProcess | undefined): Promise<{ baseline: ResolvedBaseline | null; detail: string }> {
  const problems: string[] = [];
  let deltas = 0;
  for (const [name, expr] of Object.entries(config.quality_gates ?? {})) {
    try {
      const g = compileGate(name, expr);
      if (g.mode !== 'value') deltas++;
    } catch (e) {
      problems.push(`${name}: ${e instanceof GateSyntaxError ? e.message : String(e)}`);
      continue;
    }
    const metric = gateInfo(name)?.metric;
    if (metric && RESOURCE_METRICS.has(metric)) {
      if (!service) problems.push(`${name} measures the service's ${metric === 'cpu_avg' ? 'CPU' : 'memory'}, which needs the service started by Reprise (sut.command)`);
      else if (!ResourceSampler.supported()) problems.push(`${name} measures the service's ${metric === 'cpu_avg' ? 'CPU' : 'memory'} through /proc, which this system (${process.platform}) does not have`);
    }
    if (metric === 'log_errors' && !service) problems.push(`${name} counts the service's error lines, which needs the service started by Reprise (sut.command)`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  let baseline: ResolvedBaseline | null;
  try {
    baseline = await resolveBaseline(config.runs_dir, config.baseline, runId);
  } catch (e) {
    throw new Error((e as Error).message);
  }
  const n = Object.keys(config.quality_gates ?? {}).length;
  let detail = `${n} gate${n === 1 ? '' : 's'} valid`;
  if (baseline) detail += `; baseline ${baseline.runId}`;
  else if (deltas) detail += `; no baseline run, so ${deltas} delta gate${deltas === 1 ? '' : 's'} cannot pass (set one with \`reprise baseline set <run>\`)`;
  return { baseline, detail };
}

/** The verdict gates of a finished replay. */
export function verdictGates(config: RepriseConfig, m: Metrics, baseline: ResolvedBaseline | null, aborted: boolean): GateResult[] {
  const gates: GateResult[] = evaluateGates(config.quality_gates, m, baseline?.summary.metrics ?? null);
  gates.push(...defaultDbGates(config.quality_gates, m));
  if (m.sent === 0 && !aborted) {
    gates.push({ name: 'requests_sent', expression: '> 0', measured: 0, pass: false, note: 'no inbound request was replayed: check traffic sources and include/exclude' });
  }
  if (Object.keys(config.quality_gates).length === 0) {
    // With no gates configured, every replayed request must pass: a red request never ends in a green run.
    const bad = m.failed + m.errors;
    gates.push({ name: 'failed_requests', expression: '== 0', measured: bad, pass: bad === 0, note: 'no quality_gates configured: every request must pass' });
  }
  return gates;
}
