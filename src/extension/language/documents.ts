/** Which documents are Reprise configs. No vscode: the selector is plain data the adapter passes on. */
import * as path from 'node:path';

/** Glob of config file names the language features serve (YAML only; reprise.json gets the JSON Schema). */
export const CONFIG_GLOB = '**/{reprise.yaml,reprise.yml,*.reprise.yaml}';

/** A `vscode.DocumentSelector`: the built-in `yaml` language, restricted to config file names. */
export const CONFIG_SELECTOR = [
  { language: 'yaml', pattern: CONFIG_GLOB },
] as const;

export function isConfigFileName(file: string): boolean {
  const base = path.basename(file).toLowerCase();
  return base === 'reprise.yaml' || base === 'reprise.yml' || base.endsWith('.reprise.yaml');
}
