/**
 * Finds the workspace's reprise.yaml and reads the few fields the views need (traffic sources, runs
 * folder). A light read only: full validation with source positions belongs to the engine's config loader.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Parses YAML text. The extension passes one backed by dist/yaml.js (yaml-parse.ts), loaded on the first
 * read: the parser is not part of dist/extension.js.
 */
export type YamlParse = (text: string) => unknown;

export const CONFIG_FILE = 'reprise.yaml';

export interface TrafficEntry {
  /** As written in reprise.yaml. */
  path: string;
  /** Resolved against the config file's folder. */
  absolute: string;
  kind: 'file' | 'folder' | 'missing';
}

export interface WorkspaceConfig {
  /** Absolute path of reprise.yaml. */
  file: string;
  /** Folder that relative paths are resolved against. */
  root: string;
  traffic: TrafficEntry[];
  /** Absolute path of the runs folder (`runs_dir`, default <root>/.reprise/runs). */
  runsDir: string;
  /** A YAML syntax problem, if any (the views still show what they can). */
  error?: string;
  /** Name of the launch configuration that starts the service under a debugger (`sut.launch` or
   * `debug.launch` in reprise.yaml), if named. */
  launch?: string;
}

/** The first workspace folder holding a reprise.yaml, or undefined. */
export async function findConfigFile(): Promise<string | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const candidate = path.join(folder.uri.fsPath, CONFIG_FILE);
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

export async function readWorkspaceConfig(file: string, parseYaml: YamlParse): Promise<WorkspaceConfig> {
  const root = path.dirname(file);
  const text = await fs.readFile(file, 'utf8');
  let doc: unknown;
  let error: string | undefined;
  try {
    doc = parseYaml(text);
  } catch (e) {
    error = `${file}: ${(e as Error).message}`;
  }
  const obj = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  const traffic: TrafficEntry[] = [];
  for (const raw of toList(obj.traffic)) {
    const p = typeof raw === 'string' ? raw : raw && typeof raw === 'object' ? (raw as { path?: unknown }).path : undefined;
    if (typeof p !== 'string' || !p) continue;
    const absolute = path.resolve(root, p);
    traffic.push({ path: p, absolute, kind: await kindOf(absolute) });
  }
  const runsDir = path.resolve(root, typeof obj.runs_dir === 'string' ? obj.runs_dir : '.reprise/runs');
  const launch = [obj.sut, obj.debug]
    .map((v) => (v && typeof v === 'object' ? (v as { launch?: unknown }).launch : undefined))
    .find((v): v is string => typeof v === 'string' && v.length > 0);
  return { file, root, traffic, runsDir, error, ...(launch ? { launch } : {}) };
}

function toList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function kindOf(p: string): Promise<TrafficEntry['kind']> {
  try {
    return (await fs.stat(p)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}
