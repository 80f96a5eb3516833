/**
 * nginx for the tests: a generated nginx.conf in a temporary folder (foreground, one process, pid, logs
 * and temporary paths in that folder) listening on 127.0.0.1 and a free port, with the snippets of
 * deploy/nginx/ copied where their `include snippets/...` lines look for them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEPLOY_NGINX = fileURLToPath(new URL('../../../deploy/nginx/', import.meta.url));

/** The nginx binary: $NGINX, /usr/sbin/nginx or one on the PATH; undefined when there is none. */
export function findNginx(): string | undefined {
  const candidates = [process.env.NGINX, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (found) return found;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/** A running nginx. */
export interface RunningNginx {
  url: string;
  /** The folder holding nginx.conf, logs and temporary files. */
  dir: string;
  errorLog(): Promise<string>;
  /** Stops nginx and removes its folder. */
  stop(): Promise<void>;
}

/**
 * What goes in the `http { }` block: extra directives (given nginx's folder; `PORT` in them becomes the
 * port), and the directives of a server block, to which `listen` is added.
 */
export interface NginxSite {
  http?: (dir: string) => string;
  server?: string;
}

/** A free TCP port on 127.0.0.1 (released for nginx to take; a start that loses the race is retried). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function renderConf(dir: string, port: number, site: NginxSite, compiled: string): string {
  // Temporary-path directives exist only for the modules compiled in (nginx-light leaves some out).
  const temp = ['proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((m) => !compiled.includes(`--without-http_${m}_module`))
    .map((m) => `  ${m}_temp_path ${dir}/tmp/${m};`);
  const mime = existsSync('/etc/nginx/mime.types') ? 'include /etc/nginx/mime.types;' : 'types { text/html html; application/json json; }';
  const server = site.server === undefined ? '' : `  server {\n    listen 127.0.0.1:${port};\n${site.server}\n  }\n`;
  // One process, in the foreground: it runs as the current user, so it can read the temporary folders.
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  ${mime}
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
${temp.join('\n')}
${site.http?.(dir).replaceAll('PORT', String(port)) ?? ''}
${server}}
`;
}

/** Starts nginx for `site` (the `http` text may use `PORT`, replaced by the port); resolves once it answers. */
export async function startNginx(binary: string, site: NginxSite): Promise<RunningNginx> {
  const version = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  const compiled = `${version.stdout}${version.stderr}`;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-nginx-'));
    await mkdir(join(dir, 'tmp'));
    await cp(DEPLOY_NGINX, join(dir, 'snippets'), { recursive: true });
    const port = await freePort();
    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, renderConf(dir, port, site, compiled));
    const child = spawn(binary, ['-p', `${dir}/`, '-e', join(dir, 'error.log'), '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const url = `http://127.0.0.1:${port}`;
    const running: RunningNginx = {
      url,
      dir,
      errorLog: () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''),
      stop: async () => {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
    if (await answers(url, child)) return running;
    lastError = new Error(`nginx did not start: ${stderr}\n${await running.errorLog()}`);
    await running.stop();
  }
  throw lastError!;
}

/** Waits (bounded) until nginx answers any HTTP request, or exits. */
async function answers(url: string, child: ChildProcess): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) return false;
    try {
      await fetch(url, { method: 'HEAD' });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
