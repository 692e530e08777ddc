/**
 * Hover docs for reprise.yaml: every key's description, type, default and example (from the schema's
 * metadata); on a gate expression, what it means in words (or why it does not parse). No vscode.
 */
import { explainGate, gateInfo, gateProblem, isKnownGate } from '../../engine/gates/index.js';
import { keyMarkdown } from './completion.js';
import { keyDoc } from './schema-info.js';
import { nodeAt } from './yaml-context.js';
import { parseDocument } from 'yaml';

export interface HoverResult {
  markdown: string;
  /** Offsets of the hovered key or value. */
  start: number;
  end: number;
}

export function hoverAt(text: string, offset: number): HoverResult | undefined {
  const at = nodeAt(text, offset);
  if (!at) return undefined;
  const path = at.path;
  const doc = keyDoc(path);
  if (!doc) return undefined;
  const last = path[path.length - 1];
  const parts = [keyMarkdown(doc, doc.key)];

  const gate = path.length === 2 && path[0] === 'quality_gates' && typeof last === 'string' && isKnownGate(last) ? last : undefined;
  if (gate) {
    const expr = at.kind === 'value' ? at.value : valueOfGate(text, gate);
    if (typeof expr === 'string') {
      const problem = gateProblem(gate, expr);
      parts.push(problem ? `⚠ \`${expr}\`: ${problem}` : `\`${expr}\` — ${explainGate(gate, expr)}.`);
    }
    if (gateInfo(gate)?.optional) parts.push('_Evaluated only when the run measures it; otherwise reported as not measured._');
  }
  return { markdown: parts.join('\n\n'), start: at.start, end: at.end };
}

function valueOfGate(text: string, gate: string): unknown {
  return parseDocument(text, { uniqueKeys: false, strict: false }).getIn(['quality_gates', gate]);
}
