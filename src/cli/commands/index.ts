import type { Io } from '../util.js';
import { runCommand } from './run.js';
import { validateConfigCommand } from './validate-config.js';
import { runsCommand } from './runs.js';
import { reportCommand } from './report.js';
import { baselineCommand } from './baseline.js';
import { mockCommand } from './mock.js';
import { stubsCommand } from './stubs.js';
import { importCommand } from './import.js';
import { exportCommand } from './export.js';
import { trafficCommand } from './traffic.js';
import { recordCommand } from './record.js';
import { learnCommand } from './learn.js';

export interface Command {
  summary: string;
  help: string;
  run(args: string[], io: Io): Promise<number>;
}

export const commands: Record<string, Command> = {
  run: runCommand,
  'validate-config': validateConfigCommand,
  runs: runsCommand,
  report: reportCommand,
  baseline: baselineCommand,
  mock: mockCommand,
  stubs: stubsCommand,
  import: importCommand,
  export: exportCommand,
  traffic: trafficCommand,
  record: recordCommand,
  learn: learnCommand,
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `reprise — replay captured HTTP traffic against a local service, with mocks, validation and quality gates

Usage: reprise <command> [options]

Commands:
${lines.join('\n')}

Run 'reprise <command> --help' for a command's options.
Exit codes: 0 all gates passed · 1 a gate failed or the run was aborted · 2 config or usage error · 3 runtime error
`;
}
