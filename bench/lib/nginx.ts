import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnTracked, stopChild, type TrackedChild } from './child.ts';
import { pollUntil } from './http.ts';
import { freePort } from './ports.ts';

/** Worker processes for nginx: one, like our single Node process (the other core runs the load generator). */
export const NGINX_WORKERS = 1;

/** A running nginx serving a static snapshot, plus its temporary folder. */
export interface RunningNginx {
  readonly baseUrl: string;
  readonly child: TrackedChild;
  readonly workDir: string;
}

/** Finds the nginx binary: $NGINX, /usr/sbin/nginx or nginx on PATH; undefined if none. */
export function findNginx(): string | undefined {
  const candidates = [process.env.NGINX, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/usr/bin/nginx'];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Renders nginx.conf for a static docroot: foreground, all paths in `workDir`, keep-alive, no access log. */
export function renderNginxConf(options: { workDir: string; docroot: string; port: number; compiled: string }): string {
  const { workDir, docroot, port, compiled } = options;
  // Temp-path directives exist only for modules compiled in (nginx-light omits some).
  const temp = ['proxy', 'fastcgi', 'uwsgi', 'scgi']
    .filter((m) => !compiled.includes(`--without-http_${m}_module`))
    .map((m) => `  ${m}_temp_path ${workDir}/tmp-${m};`);
  // Workers run as `nobody` when the master is root; keep them as the current user instead.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  const mime = (type: string): string => `{ types { } default_type "${type}; charset=utf-8"; }`;
  return `${user}daemon off;
master_process on;
worker_processes ${NGINX_WORKERS};
pid ${workDir}/nginx.pid;
error_log ${workDir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${workDir}/tmp-body;
${temp.join('\n')}
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  etag on;
  server {
    listen 127.0.0.1:${port};
    root ${docroot};
    location ~ /rss\\.xml$ ${mime('application/rss+xml')}
    location ~ /atom\\.xml$ ${mime('application/atom+xml')}
    location ~ /feed\\.json$ ${mime('application/feed+json')}
  }
}
`;
}

/**
 * Writes `files` (URL path -> body) under a fresh temporary docroot, generates
 * nginx.conf there and starts nginx on a free 127.0.0.1 port; resolves once
 * /rss.xml answers 200.
 */
export async function startNginx(binary: string, files: Map<string, Buffer>): Promise<RunningNginx> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-nginx-'));
  // mkdtemp makes the folder 0700; nginx workers may run as another user.
  await chmod(workDir, 0o755);
  process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));
  const docroot = path.join(workDir, 'root');
  for (const [urlPath, body] of files) {
    const file = path.join(docroot, ...urlPath.split('/').map(decodeURIComponent));
    if (!file.startsWith(docroot + path.sep)) throw new Error(`refusing path ${urlPath}`);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, body, { mode: 0o644 });
  }
  const port = await freePort();
  const version = spawnSync(binary, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  const compiled = `${version.stdout}${version.stderr}`;
  const confPath = path.join(workDir, 'nginx.conf');
  await writeFile(confPath, renderNginxConf({ workDir, docroot, port, compiled }));
  const child = spawnTracked('nginx', binary, ['-p', workDir, '-e', path.join(workDir, 'error.log'), '-c', confPath]);
  const running = { baseUrl: `http://127.0.0.1:${port}`, child, workDir };
  try {
    await pollUntil(`${running.baseUrl}/rss.xml`, (r) => r.status === 200, {
      intervalMs: 10,
      timeoutMs: 10_000,
      abort: () => (child.hasExited() ? 'nginx exited' : undefined),
    });
  } catch (error) {
    await stopNginx(running);
    throw new Error(`nginx did not start: ${(error as Error).message}\n${child.output()}`);
  }
  return running;
}

/** Stops nginx and removes its temporary folder. */
export async function stopNginx(nginx: RunningNginx): Promise<void> {
  await stopChild(nginx.child);
  await rm(nginx.workDir, { recursive: true, force: true });
}
