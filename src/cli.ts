/**
 * The command line: `serve` (default), `check`, `export`. The only module that reads `process.env`,
 * `process.argv` and opens a port (through the commands).
 */
import { ConfigError, helpText, readConfig } from './config.ts';
import { checkCommand } from './commands/check.ts';
import { serveCommand } from './commands/serve.ts';
import { StateError } from './state/database.ts';

async function main(argv: string[]): Promise<number | undefined> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';
  const args = command === argv[0] ? argv.slice(1) : argv;
  if (args.includes('--help') || args.includes('-h')) {
    console.log(helpText());
    return 0;
  }
  switch (command) {
    case 'serve':
      await serveCommand(readConfig(process.env, args));
      return undefined;
    case 'check':
      return checkCommand(readConfig(process.env, args));
    case 'export': {
      const { exportCommand } = await import('./commands/export.ts');
      return exportCommand(process.env, args);
    }
    default:
      throw new ConfigError(`unknown command ${command} (serve, check or export; see --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StateError) console.error(`error: ${error.message}`);
    // A file or folder the system refused (an --out that is a file, a folder it may not read or
    // write): node's message names the call, the path and the reason, which is all a user needs.
    else if (isSystemError(error)) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exitCode = 2;
  },
);

function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const { code, syscall } = error as NodeJS.ErrnoException;
  return error instanceof Error && typeof syscall === 'string' && typeof code === 'string' && /^E[A-Z]+$/u.test(code);
}
