import { parse, findConfig, EXIT, type Io } from '../util.js';
import { formatIssue } from '../../engine/config/index.js';
import { checkConfigFile } from '../../engine/config/diagnostics.js';

const help = `Usage: reprise validate-config [--config FILE]

Check reprise.yaml (schema, gates, ports, traffic paths that do not exist, JSONPaths) and print every
problem as file:line:col: severity [code] key: message — the same messages and codes the editor shows.
Exit 0 when valid, 2 when not.
`;

export const validateConfigCommand = {
  summary: 'check reprise.yaml and print every problem with file:line:col',
  help,
  async run(args: string[], io: Io): Promise<number> {
    const { values } = parse(args, { config: { type: 'string', short: 'c' } });
    const file = findConfig(io.cwd, values.config);
    const { config, issues } = await checkConfigFile(file);
    for (const i of issues) io.out.write(formatIssue(i) + '\n');
    const errors = issues.filter((i) => i.severity === 'error').length;
    if (!config || errors) {
      io.out.write(`${errors} error${errors === 1 ? '' : 's'} in ${file}\n`);
      return EXIT.usage;
    }
    io.out.write(`${file}: ok (${config.traffic.length} traffic source${config.traffic.length === 1 ? '' : 's'}, ${config.mocks.length} mock${config.mocks.length === 1 ? '' : 's'}, ${Object.keys(config.quality_gates).length} gate${Object.keys(config.quality_gates).length === 1 ? '' : 's'})\n`);
    return EXIT.ok;
  },
};
