/**
 * Debug integration with the built-in JavaScript debugger (js-debug ships with code-server): Reprise starts
 * the mocks, then the example service's launch configuration with the mock URL injected, replays against
 * it, and a breakpoint in the service's POST /orders handler is hit by replayed traffic.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ReplayDone } from '../../src/extension/commands/replay-runner.js';
import { activateReprise, workspaceRoot } from './helpers.js';
import { clearRuns, configureExample, eventually, restoreConfig, type ExamplePorts } from './example-service.js';

const LAUNCH_NAME = 'orders service (debug)';

describe('Debug integration (orders example)', function () {
  this.timeout(180_000);
  let ports: ExamplePorts;
  const stops: { session: string; reason: string }[] = [];
  const launchArgs: { env?: Record<string, string> }[] = [];
  let tracker: vscode.Disposable | undefined;
  let breakpoint: vscode.SourceBreakpoint | undefined;

  before(async () => {
    await clearRuns();
    ports = await configureExample();
    const root = workspaceRoot();
    await fs.mkdir(path.join(root, '.vscode'), { recursive: true });
    const launch = {
      version: '0.2.0',
      configurations: [
        {
          type: 'node',
          request: 'launch',
          name: LAUNCH_NAME,
          program: '${workspaceFolder}/server.mjs',
          env: { PORT: String(ports.service) },
          console: 'internalConsole',
          skipFiles: ['<node_internals>/**'],
        },
      ],
    };
    await fs.writeFile(path.join(root, '.vscode', 'launch.json'), JSON.stringify(launch, null, 2));
    await eventually(
      () => (vscode.workspace.getConfiguration('launch').get<{ name: string }[]>('configurations') ?? []).some((c) => c.name === LAUNCH_NAME),
      'VS Code to read .vscode/launch.json',
    );
    // The launch configuration is named in reprise.yaml (`sut.launch`), as a user would.
    const configFile = path.join(root, 'reprise.yaml');
    const yaml = await fs.readFile(configFile, 'utf8');
    assert.match(yaml, /^sut:\n/m, 'the example workspace has a sut: block');
    await fs.writeFile(configFile, yaml.replace(/^sut:\n/m, `sut:\n  launch: ${JSON.stringify(LAUNCH_NAME)}\n`));
    const api = await activateReprise();
    await eventually(async () => {
      api.refresh();
      return (await api.config())?.launch === LAUNCH_NAME;
    }, 'the extension to read sut.launch from reprise.yaml');

    // Every stop is recorded and continued at once (replayed requests have a timeout).
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker(session) {
        return {
          onWillReceiveMessage(m: { type?: string; command?: string; arguments?: { env?: Record<string, string> } }) {
            if (m.type === 'request' && m.command === 'launch') launchArgs.push(m.arguments ?? {});
          },
          onDidSendMessage(m: { type?: string; event?: string; body?: { reason?: string; threadId?: number } }) {
            if (m.type === 'event' && m.event === 'stopped') {
              stops.push({ session: session.name, reason: m.body?.reason ?? '' });
              void session.customRequest('continue', { threadId: m.body?.threadId ?? 0 });
            }
          },
        };
      },
    });

    const server = path.join(root, 'server.mjs');
    const lines = (await fs.readFile(server, 'utf8')).split('\n');
    const handler = lines.findIndex((l) => l.includes("path === '/orders' && method === 'POST'"));
    assert.ok(handler > 0, 'found the POST /orders handler in server.mjs');
    breakpoint = new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(server), new vscode.Position(handler + 1, 0)));
    vscode.debug.addBreakpoints([breakpoint]);
  });

  after(async () => {
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    if (breakpoint) vscode.debug.removeBreakpoints([breakpoint]);
    tracker?.dispose();
    await fs.rm(path.join(workspaceRoot(), '.vscode'), { recursive: true, force: true });
    await restoreConfig();
    await clearRuns();
  });

  it('starts the launch configuration with the mock URL injected and replays against it; the breakpoint is hit', async () => {
    await activateReprise();
    assert.equal(vscode.debug.activeDebugSession, undefined, 'no debug session before');
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplayDebug');
    assert.ok(done, 'the replay ran');
    assert.ok(vscode.debug.activeDebugSession, 'the debug session is running');
    assert.ok(
      launchArgs.some((a) => a.env?.PAYMENT_API_URL === `http://127.0.0.1:${ports.mock}`),
      `the debuggee was launched with PAYMENT_API_URL of the mock: ${JSON.stringify(launchArgs.map((a) => a.env))}`,
    );
    const hits = stops.filter((s) => s.reason === 'breakpoint');
    assert.ok(hits.length >= 1, `the breakpoint in POST /orders was hit (stops: ${JSON.stringify(stops)})`);
    const s = done.outcome.summary;
    assert.equal(s.metrics.sent, 43);
    assert.equal(s.verdict, 'pass', `verdict ${s.verdict}: ${JSON.stringify(s.gates)} ${s.error ?? ''}`);
    assert.ok(s.mocks[0].calls > 0 && s.mocks[0].unmatched === 0, `the debuggee called the mock: ${JSON.stringify(s.mocks)}`);
  });

  it('Replay Under Debugger sends just one request to the debugged service', async () => {
    const api = await activateReprise();
    const session = vscode.debug.activeDebugSession;
    assert.ok(session, 'the debug session from the previous test is still running');
    const inbound = path.join(workspaceRoot(), 'traffic', 'inbound.jsonl');
    const { items } = await api.host.engine().store.listPairs([inbound], { session: 'user-bob' });
    const order = items.find((p) => p.method === 'POST' && p.url === '/orders');
    assert.ok(order);
    const before = stops.filter((s) => s.reason === 'breakpoint').length;
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.replayUnderDebugger', { pairId: order.id });
    assert.ok(done);
    assert.equal(done.outcome.summary.metrics.sent, 1, 'one request was sent');
    assert.equal(stops.filter((s) => s.reason === 'breakpoint').length, before + 1, 'it hit the breakpoint once');
    assert.equal(vscode.debug.activeDebugSession?.id, session.id, 'the same debug session');
  });

  it('stop at first mismatch pauses the replay at the first failing request, shows its diff, and leaves the debug session running', async () => {
    await activateReprise();
    const session = vscode.debug.activeDebugSession;
    assert.ok(session);
    // The debugged service kept the orders of the first replay in memory: a second replay mismatches
    // (the orders lists grow), which is the mismatch to stop at.
    const done = await vscode.commands.executeCommand<ReplayDone>('reprise.runReplayDebugStopAtMismatch');
    assert.ok(done);
    assert.ok(done.firstMismatch, 'a mismatch was found');
    assert.equal(done.outcome.summary.verdict, 'aborted');
    assert.equal(done.outcome.summary.abortReason, 'stopped at first mismatch');
    assert.ok(done.outcome.summary.metrics.sent < 43, `stopped early (${done.outcome.summary.metrics.sent} sent)`);
    // The diff opens in an editor tab (the debugger may bring server.mjs to the front when it stops).
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    const r = done.firstMismatch;
    const diffTab = await eventually(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .find((t) => (t.input instanceof vscode.TabInputTextDiff || t.input instanceof vscode.TabInputWebview) && t.label.includes(r.method)),
      `a diff tab for ${r.method} ${r.url} (tabs: ${tabs.map((t) => t.label).join(' | ')})`,
      10_000,
    );
    assert.equal(vscode.debug.activeDebugSession?.id, session.id, 'the debug session is left where it is');
    await vscode.window.tabGroups.close(diffTab);
  });
});
