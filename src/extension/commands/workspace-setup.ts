/**
 * Getting traffic into a workspace: "Create reprise.yaml" scaffolds a config from a traffic file or folder
 * found in the workspace, and "Import Traffic" converts captures in any supported format (HAR, proxymock,
 * GoReplay, Keploy, RRPair, native JSONL) into the native JSONL store.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineHost } from '../engine-host.js';
import { CONFIG_FILE, findConfigFile } from '../workspace-config.js';

const TRAFFIC_GLOB = '**/*.{jsonl,jsonl.gz,har,gor,md,yaml,yml,json}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.reprise/**,**/.git/**,**/dist/**,**/out/**}';

export interface TrafficCandidate {
  /** Relative to the workspace folder, with ./ */
  rel: string;
  absolute: string;
  format: string;
  inbound: number;
  outbound: number;
  services: string[];
}

/** Traffic files the engine recognises in the first workspace folder, inbound-heavy first. */
export async function findTrafficCandidates(host: EngineHost, root: string): Promise<TrafficCandidate[]> {
  const engine = host.engine();
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(root, TRAFFIC_GLOB), EXCLUDE_GLOB, 200);
  const out: TrafficCandidate[] = [];
  for (const f of files) {
    if (path.basename(f.fsPath) === CONFIG_FILE) continue;
    const format = await engine.store.detectFormat(f.fsPath).catch(() => 'unknown' as const);
    if (format === 'unknown') continue;
    const index = await engine.store.indexSources([f.fsPath], { maxIssues: 10 }).catch(() => undefined);
    if (!index || index.total === 0) continue;
    out.push({
      rel: './' + path.relative(root, f.fsPath).split(path.sep).join('/'),
      absolute: f.fsPath,
      format,
      inbound: index.inbound,
      outbound: index.outbound,
      services: index.services.map((s) => s.service),
    });
  }
  return out.sort((a, b) => b.inbound - a.inbound || a.rel.localeCompare(b.rel));
}

/** The reprise.yaml text for the chosen inbound source and the outbound sources that feed mocks. */
export function scaffoldText(inbound: TrafficCandidate, all: TrafficCandidate[]): string {
  const services = new Map<string, string[]>();
  for (const c of all) for (const s of c.services) services.set(s, [...(services.get(s) ?? []), c.rel]);
  const lines = [
    '# Reprise configuration, created by "Reprise: Create reprise.yaml".',
    '# target: where the service under test runs locally; traffic: the recorded requests to replay against it.',
    'target: http://127.0.0.1:8080',
    `traffic: [${inbound.rel}]`,
  ];
  if (services.size) {
    lines.push('# Mocks serve the recorded outbound calls; start the service with each `env` set to its mock\'s URL.');
    lines.push('mocks:');
    let port = 8081;
    for (const [service, sources] of services) {
      lines.push(`  - service: ${service}`, `    port: ${port++}`, `    traffic: [${[...new Set(sources)].join(', ')}]`, `    env: ${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`);
    }
  }
  lines.push(
    'replay:',
    '  concurrency: 4',
    '  timeout: 10s',
    'validate:',
    '  ignore: [header.date]',
    'quality_gates:',
    '  status_pass_rate: ">= 0.99"',
    '  body_match_rate: ">= 0.95"',
    '',
  );
  return lines.join('\n');
}

/** Create reprise.yaml: pick a traffic file found in the workspace and write a starting config. */
export async function scaffoldConfig(host: EngineHost, opts: { pick?: string } = {}): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!folder) {
    void vscode.window.showErrorMessage('Reprise: open a folder first.');
    return undefined;
  }
  const existing = await findConfigFile();
  if (existing) {
    await vscode.window.showTextDocument(vscode.Uri.file(existing));
    return existing;
  }
  const root = folder.uri.fsPath;
  const candidates = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Reprise: looking for traffic' },
    () => findTrafficCandidates(host, root),
  );
  if (!candidates.length) {
    void vscode.window.showWarningMessage('Reprise: found no traffic in this workspace (HAR, JSONL, proxymock, GoReplay, Keploy). Use "Reprise: Import Traffic" or "Reprise: Record Traffic" first.');
    return undefined;
  }
  let chosen = opts.pick ? candidates.find((c) => c.rel === opts.pick || c.absolute === opts.pick) : undefined;
  if (!chosen) {
    const inboundOnes = candidates.filter((c) => c.inbound > 0);
    if (inboundOnes.length === 1 || opts.pick !== undefined) chosen = inboundOnes[0];
    else {
      const item = await vscode.window.showQuickPick(
        (inboundOnes.length ? inboundOnes : candidates).map((c) => ({ label: c.rel, description: `${c.format} · ${c.inbound} inbound · ${c.outbound} outbound`, c })),
        { title: 'Reprise: which traffic should be replayed?' },
      );
      chosen = item?.c;
    }
  }
  if (!chosen) return undefined;
  const file = path.join(root, CONFIG_FILE);
  await fs.writeFile(file, scaffoldText(chosen, candidates.filter((c) => c.outbound > 0)), { flag: 'wx' });
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}

/** Import Traffic: each chosen capture becomes traffic/imported/<name>.jsonl. Returns the files written. */
export async function importTraffic(host: EngineHost, log: vscode.LogOutputChannel, files?: string[], outDir?: string): Promise<string[]> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  if (!files) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Reprise: Import Traffic',
      canSelectMany: true,
      canSelectFolders: true,
      openLabel: 'Import',
      filters: { Traffic: ['har', 'jsonl', 'gz', 'gor', 'md', 'yaml', 'yml', 'json'], 'All files': ['*'] },
    });
    files = picked?.map((u) => u.fsPath);
  }
  if (!files?.length) return [];
  const dest = outDir ?? path.join(folder?.uri.fsPath ?? path.dirname(files[0]), 'traffic', 'imported');
  const engine = host.engine();
  const written: string[] = [];
  for (const src of files) {
    const name = path.basename(src).replace(/(\.jsonl)?(\.gz)?$/i, '').replace(/\.[^.]+$/, '') || 'traffic';
    const target = path.join(dest, `${name}.jsonl`);
    const writer = await engine.store.JsonlWriter.open(target);
    let issues = 0;
    try {
      for await (const pair of engine.store.readPairs([src], {
        onIssue: (i) => {
          issues++;
          log.warn(`${i.file}${i.line ? ':' + i.line : ''}: ${i.message}`);
        },
      })) {
        await writer.write(pair);
      }
    } finally {
      await writer.close();
    }
    log.info(`imported ${writer.written} pairs from ${src} into ${target}${issues ? ` (${issues} problems, see above)` : ''}`);
    written.push(target);
  }
  void vscode.window.showInformationMessage(`Reprise: imported ${written.length} file${written.length === 1 ? '' : 's'} into ${dest}. Add them to \`traffic:\` in reprise.yaml to replay them.`);
  return written;
}
