/**
 * Feed clients that did not write our feeds, for reading them back in tests: xmllint (well-formedness
 * and the RFC 4287 RELAX NG schema) and the Universal Feed Parser (Debian python3-feedparser).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const ATOM_RNG = fileURLToPath(new URL('../schemas/atom.rng', import.meta.url));
/** Debian's interpreter: the one that has python3-feedparser. */
const PYTHON = '/usr/bin/python3';

function run(command: string, args: string[], input: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

/** xmllint's verdict on well-formedness: empty when well-formed, else its messages. */
export async function xmlProblems(xml: string | Buffer): Promise<string> {
  const { code, stderr } = await run('xmllint', ['--noout', '-'], xml);
  return code === 0 ? '' : stderr || `xmllint exited ${code}`;
}

/** xmllint's verdict against the RFC 4287 Atom schema: empty when valid, else its messages. */
export async function atomSchemaProblems(xml: string | Buffer): Promise<string> {
  const { code, stderr } = await run('xmllint', ['--noout', '--relaxng', ATOM_RNG, '-'], xml);
  return code === 0 ? '' : stderr;
}

/** An entry as the Universal Feed Parser sees it. */
export interface ParsedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  summary: string | null;
  content: string[];
  published: string | null;
  updated: string | null;
  tags: string[];
  tag_labels: (string | null)[];
  guidislink: boolean | null;
}

/** A feed as the Universal Feed Parser sees it. */
export interface ParsedFeed {
  bozo: boolean;
  bozo_exception: string | null;
  version: string;
  feed: { title: string | null; link: string | null; links: { rel: string; href: string; type: string | null }[]; updated: string | null };
  entries: ParsedEntry[];
}

/** Reads a feed with the Universal Feed Parser. */
export async function feedparse(body: string | Buffer): Promise<ParsedFeed> {
  const { code, stdout, stderr } = await run(PYTHON, [`${here}feedparse.py`], body);
  if (code !== 0) throw new Error(`feedparser failed: ${stderr}`);
  return JSON.parse(stdout) as ParsedFeed;
}
