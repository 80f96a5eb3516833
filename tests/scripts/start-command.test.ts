import { describe, expect, it } from 'vitest';
import { ourServerCommand } from '../../bench/lib/server-process.ts';
import { startCommand } from '../../scripts/start-command.mjs';

describe('startCommand', () => {
  it("gives npm start's node flags, then scripts/start.mjs", () => {
    expect(startCommand()).toEqual(['scripts/start.mjs']);
  });

  it('is how the benchmarks start the server through another entry file, with the same node flags', () => {
    expect(ourServerCommand('src/cli.ts')).toEqual(['--import', 'tsx', 'src/cli.ts']);
  });
});
