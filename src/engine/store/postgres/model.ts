/**
 * A recorded Postgres conversation: one client connection to the database, as exchanges of client
 * messages and the server messages that answered them. Stored in the native JSONL store as one line with
 * `kind: "postgres"` (HTTP pair readers skip such lines); imported from Keploy `kind: Postgres` mocks.
 *
 * Each message keeps its decoded fields (see protocol.ts) and, where the recording had them, its raw
 * bytes (`raw`, base64 of the whole message); a message without `raw` is re-encoded from its fields.
 */
import { z } from 'zod';

export const PgRecordedMessageSchema = z.object({
  /** One-letter message type, or 'startup' | 'ssl' | 'gssenc' | 'cancel' for the untyped startup-phase messages. */
  type: z.string().min(1),
  fields: z.record(z.string(), z.unknown()).optional(),
  /** The whole message as it was on the wire, base64. */
  raw: z.string().optional(),
});
export type PgRecordedMessage = z.infer<typeof PgRecordedMessageSchema>;

export const PgExchangeSchema = z.object({
  /** ISO time the client messages were sent. */
  ts: z.string(),
  /** ISO time the last server message arrived. */
  tsEnd: z.string().optional(),
  client: z.array(PgRecordedMessageSchema),
  server: z.array(PgRecordedMessageSchema),
  /** Name of the recorded unit (a Keploy mock's name), for messages. */
  label: z.string().optional(),
  /** Id of the inbound request this exchange happened for, when the recorder knew it. */
  inbound: z.string().optional(),
});
export type PgExchange = z.infer<typeof PgExchangeSchema>;

export const PgConversationSchema = z.object({
  kind: z.literal('postgres'),
  id: z.string().min(1),
  /** The mock (database) this conversation belongs to; absent: any Postgres mock reading the source. */
  service: z.string().optional(),
  /** The recorded connection (Keploy connectionId, or the recorder's counter). */
  connection: z.string(),
  /** ISO time the connection opened. */
  ts: z.string(),
  exchanges: z.array(PgExchangeSchema),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type PgConversation = z.infer<typeof PgConversationSchema>;
export type PgConversationInput = z.input<typeof PgConversationSchema>;

/** True for a parsed JSON line that is a Postgres conversation (not an HTTP pair). */
export function isConversationLine(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'postgres';
}
