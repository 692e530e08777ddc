/**
 * zod schemas of everything a webview sends the host (requests' and commands' parameters), checked on
 * arrival by HostEndpoint (ipc-host.ts). Host-only: the webview bundles never import this file (or zod).
 * `schema(type, s)` ties each schema to its message's parameter type at compile time.
 */
import { z } from 'zod';
import type { Command, Request } from '../ipc.js';
import { openDiff, openUnmatched, rerunFailed } from './report.js';
import { diffMore, ignorePath, addTolerance, acceptActual, openNativeDiff, rerunRequest } from './diff.js';
import { draftStubs, saveStubs, rerunAfterPromote } from './unmatched.js';
import { probeReply } from './common.js';

function schema<P, R>(type: Request<P, R>, s: z.ZodType<P>): [string, z.ZodType];
function schema<P>(type: Command<P>, s: z.ZodType<P>): [string, z.ZodType];
function schema(type: { method: string }, s: z.ZodType): [string, z.ZodType] {
  return [type.method, s];
}

const PairId = z.string().min(1).max(500);
const JsonPathText = z.string().min(1).max(2000);
const CallId = z.string().min(1).max(500);
const Empty = z.strictObject({});

export const paramSchemas: Readonly<Record<string, z.ZodType>> = Object.fromEntries([
  // report
  schema(openDiff, z.strictObject({ pairId: PairId })),
  schema(openUnmatched, Empty),
  schema(rerunFailed, Empty),
  // diff
  schema(diffMore, z.strictObject({ lineLimit: z.number().int().positive().max(10_000_000) })),
  schema(ignorePath, z.strictObject({ path: JsonPathText })),
  schema(addTolerance, z.strictObject({ path: JsonPathText, tolerance: z.number().nonnegative().finite().optional() })),
  schema(acceptActual, Empty),
  schema(openNativeDiff, Empty),
  schema(rerunRequest, Empty),
  // unmatched
  schema(draftStubs, z.strictObject({ callIds: z.array(CallId).min(1).max(1000), mode: z.enum(['new', 'loosen-nearest']) })),
  schema(saveStubs, z.strictObject({ text: z.string().max(50_000_000) })),
  schema(rerunAfterPromote, z.strictObject({ callIds: z.array(CallId).max(1000) })),
  // common
  schema(
    probeReply,
    z.strictObject({
      id: z.number().int(),
      text: z.string().max(20_000),
      counts: z.record(z.string(), z.number().int().nonnegative()),
      renderedAt: z.number().optional(),
      timeOrigin: z.number().optional(),
    }),
  ),
]);
