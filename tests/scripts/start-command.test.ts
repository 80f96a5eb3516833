import { describe, expect, it } from 'vitest';
import { ourServerCommand } from '../../bench/lib/server-process.ts';
import { startCommand } from '../../scripts/start-command.mjs';

describe('startCommand', () => {
  it("gives npm start's node flags, then scripts/start.mjs", () => {
    expect(startCommand()).toEqual(['--max-semi-space-size=4', 'scripts/start.mjs']);
  });

  it('is how the benchmarks start the server through another entry file, with the same node flags', () => {
    expect(ourServerCommand('src/cli.ts')).toEqual(['--max-semi-space-size=4', '--import', 'tsx', 'src/cli.ts']);
  });
});
