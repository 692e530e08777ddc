// Types for harness.mjs (so the TypeScript tests can import it).
import type { ChildProcess } from 'node:child_process';

export declare const EXAMPLE_DIR: string;
export declare const SERVER_SCRIPT: string;
export declare const PAYMENT_API_SCRIPT: string;

export type Step =
  | { gap: number; op: 'health' | 'login' | 'products' | 'readLastOrder' | 'readFirstOrder'; currency?: string }
  | { gap: number; op: 'listOrders'; anonymous?: boolean }
  | { gap: number; op: 'readOrder'; id: string }
  | { gap: number; op: 'createOrder'; currency: string; items: { sku: string; qty: number }[] };

export interface SessionScript {
  session: string;
  user?: string;
  /** ms after the scenario starts */
  start: number;
  steps: Step[];
}
export declare const SESSIONS: SessionScript[];

export interface RecordedExchange {
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: string;
}
export interface Exchange {
  session: string;
  seq: number;
  ts: string;
  duration: number;
  request: RecordedExchange;
  response: { status: number; headers: Record<string, string | string[]>; body?: string };
}
export interface PaymentLogEntry {
  ts: string;
  duration: number;
  request: RecordedExchange;
  response: { status: number; headers: Record<string, string | string[]>; body?: string };
}
export interface JsonPair extends Exchange {
  id: string;
  direction: 'in' | 'out';
  service?: string;
}

export declare function runScenario(baseUrl: string, opts?: { sessions?: SessionScript[]; timeScale?: number }): Promise<Exchange[]>;
export declare function toInboundPairs(exchanges: Exchange[]): JsonPair[];
export declare function readPaymentLog(file: string): PaymentLogEntry[];
export declare function toOutboundPairs(entries: PaymentLogEntry[], service?: string): JsonPair[];
export declare function portIsFree(port: number): Promise<boolean>;

export interface StartedProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}
export declare function startProcess(script: string, env?: Record<string, string>): Promise<StartedProcess>;
