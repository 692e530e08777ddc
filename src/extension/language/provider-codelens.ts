/**
 * vscode adapter: "Run replay" at the top of reprise.yaml, and counts above `traffic:` ("3 sources ·
 * 12 sessions · 240 pairs") and `mocks:` ("2 mocks · 38 recorded calls"). Counts are computed when a lens
 * is resolved (the store is streamed once per traffic set and cached), never at activation.
 */
import * as vscode from 'vscode';
import { callsPerService, lensPlan, mocksLensTitle, trafficLensTitle } from './lenses.js';
import type { TrafficCache } from './traffic-hints.js';

export const RUN_REPLAY_COMMAND = 'reprise.language.runReplay';
/** Opens the Reprise view container (the lenses' counts link to the Traffic view). */
const SHOW_VIEWS_COMMAND = 'workbench.view.extension.reprise';

class CountLens extends vscode.CodeLens {
  constructor(range: vscode.Range, readonly compute: () => Promise<string>) {
    super(range);
  }
}

export class ConfigCodeLensProvider implements vscode.CodeLensProvider {
  constructor(private readonly cache: TrafficCache, private readonly log: vscode.LogOutputChannel) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const file = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.path;
    const plan = lensPlan(doc.getText(), file);
    const lenses: vscode.CodeLens[] = [
      new vscode.CodeLens(new vscode.Range(plan.runLine, 0, plan.runLine, 0), {
        title: '$(play) Run replay',
        tooltip: 'Replay the recorded traffic against the target with this config',
        command: RUN_REPLAY_COMMAND,
        arguments: [doc.uri],
      }),
    ];
    if (doc.uri.scheme !== 'file') return lenses;
    const t = plan.traffic;
    if (t) {
      lenses.push(
        new CountLens(new vscode.Range(t.line, 0, t.line, 0), async () =>
          t.sources.length ? trafficLensTitle(t.sources.length, await this.cache.index(t.sources)) : 'no traffic sources',
        ),
      );
    }
    const m = plan.mocks;
    if (m) {
      lenses.push(
        new CountLens(new vscode.Range(m.line, 0, m.line, 0), async () => {
          const indexes = await Promise.all(
            m.mocks.map(async (mock) => ({ service: mock.service, index: await this.cache.index(mock.sources, 'out') })),
          );
          return mocksLensTitle(m.mocks, callsPerService(indexes));
        }),
      );
    }
    return lenses;
  }

  async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
    if (!(lens instanceof CountLens)) return lens;
    let title: string;
    try {
      title = await lens.compute();
    } catch (e) {
      this.log.warn(`counting traffic for CodeLens failed: ${(e as Error).message}`);
      title = 'traffic could not be read (see the Reprise log)';
    }
    lens.command = { title, command: SHOW_VIEWS_COMMAND, tooltip: 'Show the Reprise views' };
    return lens;
  }
}
