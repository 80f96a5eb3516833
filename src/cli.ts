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
    else console.error(error);
    process.exitCode = 2;
  },
);
