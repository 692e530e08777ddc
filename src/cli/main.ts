/**
 * `reprise` — the command-line front end on the engine. argv → engine → exit code.
 * Exit codes: 0 every gate passed; 1 a gate failed (or the run aborted); 2 config or usage error; 3 runtime error.
 */
import { EXIT, UsageError, CliError, type Io } from './util.js';
import { commands, mainHelp } from './commands/index.js';

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    io.out.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err.write(`reprise: unknown command '${name}'\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(cmd.help);
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`reprise ${name}: ${e.message}\n\n${cmd.help}`);
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err.write(`reprise ${name}: ${e.message}\n`);
      return e.code;
    }
    io.err.write(`reprise ${name}: ${(e as Error)?.stack ?? e}\n`);
    return EXIT.runtime;
  }
}

declare const __REPRISE_VERSION__: string | undefined;
const VERSION = typeof __REPRISE_VERSION__ === 'string' ? __REPRISE_VERSION__ : '0.0.0-dev';

if (require.main === module) {
  // `reprise runs | head` closes the pipe early: that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, cwd: process.cwd() }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(String(e?.stack ?? e) + '\n');
      process.exitCode = EXIT.runtime;
    },
  );
}
