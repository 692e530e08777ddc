/**
 * The extension's log: one LogOutputChannel named "Reprise", plus an adapter that hands it to the engine
 * as its `Logger` (the engine never sees `vscode`).
 */
import * as vscode from 'vscode';
import type { Logger } from '../engine/context.js';

export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Reprise', { log: true });
}

function fmt(msg: string, args: unknown[]): string {
  if (!args.length) return msg;
  return msg + ' ' + args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ');
}

function safeJson(v: unknown): string {
  if (v instanceof Error) return v.stack ?? v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** An engine `Logger` writing into the channel at the matching levels. */
export function engineLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m, ...a) => channel.trace(fmt(m, a)),
    debug: (m, ...a) => channel.debug(fmt(m, a)),
    info: (m, ...a) => channel.info(fmt(m, a)),
    warn: (m, ...a) => channel.warn(fmt(m, a)),
    error: (m, ...a) => channel.error(fmt(m, a)),
  };
}
