/**
 * boundHeapGrowth leans on V8 reading `--heap-growing-percent` when it sets each limit, with the flag
 * set after start (src/commands/heap-growth.ts). Each case runs in a process of its own
 * (tests/support/heap-growth-child.ts) with npm start's node flags: a live set, then 1 GiB of
 * garbage that is promoted before it dies; the largest heap seen over the live size is compared.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startCommand } from '../../scripts/start-command.mjs';

const child = fileURLToPath(new URL('../support/heap-growth-child.ts', import.meta.url));

async function peakRatio(mode: 'bound' | 'default'): Promise<number> {
  const flags = startCommand().filter((f: string) => f !== 'scripts/start.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--import', 'tsx', child, mode], { timeout: 60_000 });
  return (JSON.parse(stdout) as { ratio: number }).ratio;
}

describe('boundHeapGrowth', () => {
  it('keeps the heap within about 1.3 times its live size, where V8 alone lets it reach about 4 times', async () => {
    const [bound, unbounded] = await Promise.all([peakRatio('bound'), peakRatio('default')]);
    // Measured here: 1.8 bound (1.3 of the old generation, plus the young one's 32 MiB), 4.5 not.
    expect(bound).toBeLessThan(2.5);
    expect(unbounded).toBeGreaterThan(bound * 1.5);
  }, 60_000);
});
