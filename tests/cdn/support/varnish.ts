/**
 * A real varnishd for the tests: deploy/varnish/default.vcl with its two backend ports replaced, on
 * 127.0.0.1 and a free port, in a temporary working folder, in the foreground, killed by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The example VCL, as deployed. */
export const VCL_PATH = new URL('../../../deploy/varnish/default.vcl', import.meta.url);

/**
 * The varnishd binary, if installed with the xkey vmod (Debian's varnish and varnish-modules; varnishd
 * is in /usr/sbin, often not on a user's PATH).
 */
export function findVarnishd(): string | undefined {
  const xkey = spawnSync('sh', ['-c', 'ls /usr/lib/*/varnish/vmods/libvmod_xkey.so /usr/lib/varnish/vmods/libvmod_xkey.so /usr/local/lib/varnish/vmods/libvmod_xkey.so'], { encoding: 'utf8' });
  if (!xkey.stdout.trim()) return undefined;
  for (const candidate of ['/usr/sbin/varnishd', '/usr/local/sbin/varnishd']) if (existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v varnishd'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
}

/** A running varnishd. */
export interface RunningVarnish {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (closed again at once: varnishd binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts varnishd with the example VCL in front of `backends` (two ports, in the VCL's order), on
 * `port` (default: a free one); resolves once it answers /healthz through a healthy backend.
 */
export async function startVarnish(binary: string, backends: [number, number], port?: number): Promise<RunningVarnish> {
  const vcl = await readFile(VCL_PATH, 'utf8');
  const replace = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`the example VCL no longer holds ${from}`);
    return text.replace(from, to);
  };
  const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-varnish-'));
  const vclFile = join(dir, 'test.vcl');
  await writeFile(vclFile, replace(replace(vcl, '.port = "3001";', `.port = "${backends[0]}";`), '.port = "3002";', `.port = "${backends[1]}";`));
  port ??= await freePort();
  const child = spawn(
    binary,
    [
      '-F',
      '-n', join(dir, 'work'),
      '-a', `127.0.0.1:${port}`,
      '-T', '127.0.0.1:0',
      '-f', vclFile,
      '-s', 'malloc,32m',
      // No privilege separation: the test may run as root (CI) or not, with a folder only it can read.
      '-j', 'none',
      '-p', 'http_gzip_support=off',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (let attempt = 0; attempt < 400 && Date.now() < deadline; attempt++) {
    if (child.exitCode !== null) break;
    try {
      // /healthz is passed to a backend: 200 means varnishd listens and a backend is up.
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return { url, process: child, output: () => out, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`varnishd did not start:\n${out}`);
}
