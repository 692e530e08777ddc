import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findConfig, type Io } from '../util.js';
import { loadConfig } from '../../engine/config/index.js';

/** The runs folder: from the config when there is a valid one, else ./.reprise/runs. */
export async function runsDirFor(io: Io, configFlag?: string, runsFlag?: string): Promise<string> {
  if (runsFlag) return resolve(io.cwd, runsFlag);
  const file = findConfig(io.cwd, configFlag);
  if (existsSync(file)) {
    const { config } = await loadConfig(file);
    if (config) return config.runs_dir;
  }
  return resolve(io.cwd, '.reprise/runs');
}
