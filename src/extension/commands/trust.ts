/**
 * Workspace trust: in an untrusted (restricted) workspace the views still browse traffic and runs, but
 * nothing that starts servers, sends requests or runs the workspace's configuration is allowed.
 */
import * as vscode from 'vscode';

export const UNTRUSTED_EXPLANATION =
  'is not available in Restricted Mode: it would start mock servers and send requests as configured by this ' +
  "workspace's reprise.yaml. Trust the workspace to enable it; browsing traffic and runs works either way.";

/** The message shown when `what` is refused (exported for tests). */
export function untrustedMessage(what: string): string {
  return `Reprise: ${what} ${UNTRUSTED_EXPLANATION}`;
}

/** Messages of the refusals shown so far (newest last, at most 20): what the trust tests check. */
export const refusals: string[] = [];

/** True when the workspace is trusted; otherwise explains the refusal and returns false. */
export function requireTrust(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  refusals.push(untrustedMessage(what));
  if (refusals.length > 20) refusals.shift();
  void vscode.window.showWarningMessage(untrustedMessage(what), 'Manage Workspace Trust').then((a) => {
    if (a) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}
