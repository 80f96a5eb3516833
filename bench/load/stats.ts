import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BodyFormat, RequestSpec } from './requests.ts';

const SAVE_BODIES = 5;
const KEEP_EXAMPLES = 10;
const MAX_ETAGS = 100_000;
const EXTENSIONS: Record<BodyFormat, string> = { rss: 'xml', atom: 'xml', json: 'json', opml: 'opml', html: 'html', text: 'txt' };

/** Status code key of a response, or `ERR <code>` for a request that got no response. */
export type StatusKey = string;

/** Counters of one run: statuses, per-route statuses, parsed bodies and what failed, with a few saved examples. */
export class LoadStats {
  readonly statuses = new Map<StatusKey, number>();
  readonly byCategory = new Map<string, Map<StatusKey, number>>();
  readonly parsed = new Map<BodyFormat, number>();
  readonly failureReasons = new Map<string, number>();
  /** First requests answered with a status other than 200/304/404 (or no answer). */
  readonly unexpected: string[] = [];
  /** First parse failures: request and reason. */
  readonly failureExamples: string[] = [];
  parseFailures = 0;
  contentTypeMismatches = 0;
  /** Same path, same ETag, different body: a strong ETag must not be reused for other bytes (RFC 9110 8.8.3). */
  etagConflicts = 0;
  savedDir: string | undefined;
  private readonly bodyHashes = new Map<string, string>();

  /** Counts one response (or error) of `spec`. */
  record(spec: RequestSpec, status: StatusKey): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    let row = this.byCategory.get(spec.category);
    if (!row) this.byCategory.set(spec.category, (row = new Map()));
    row.set(status, (row.get(status) ?? 0) + 1);
    if (!['200', '304', '404'].includes(status) && this.unexpected.length < KEEP_EXAMPLES)
      this.unexpected.push(`${spec.method} ${spec.path}${spec.conditional ? ' (If-None-Match)' : ''} -> ${status}`);
  }

  /** Counts a body that was parsed; `failure` is why it failed, if it did. The first few failing bodies are saved. */
  recordParse(spec: RequestSpec, body: Buffer, failure: string | undefined): void {
    this.parsed.set(spec.format, (this.parsed.get(spec.format) ?? 0) + 1);
    if (failure === undefined) return;
    this.parseFailures++;
    // Group failures by kind: drop positions and the quoted context.
    const reason = failure.replace(/\b(line|col|offset|position|item) \d+/g, '$1 N').replace(/, near .*$/s, '');
    this.failureReasons.set(reason, (this.failureReasons.get(reason) ?? 0) + 1);
    if (this.failureExamples.length < KEEP_EXAMPLES) this.failureExamples.push(`GET ${spec.path}: ${failure}`);
    if (this.parseFailures <= SAVE_BODIES) {
      this.savedDir ??= mkdtempSync(path.join(os.tmpdir(), 'tagfeeds-load-failures-'));
      const base = path.join(this.savedDir, `${this.parseFailures}-${spec.format}`);
      writeFileSync(`${base}.${EXTENSIONS[spec.format]}`, body);
      writeFileSync(`${base}.why.txt`, `GET ${spec.path}\n${failure}\n`);
    }
  }

  /** Remembers the body hash behind (path, ETag) and counts a conflict if the same pair served other bytes. */
  recordEtag(requestPath: string, etag: string, hash: string): void {
    const key = `${requestPath}\n${etag}`;
    const seen = this.bodyHashes.get(key);
    if (seen === undefined) {
      if (this.bodyHashes.size < MAX_ETAGS) this.bodyHashes.set(key, hash);
    } else if (seen !== hash) this.etagConflicts++;
  }

  /** Number of responses and errors counted so far. */
  total(): number {
    let sum = 0;
    for (const n of this.statuses.values()) sum += n;
    return sum;
  }

  /** Responses or errors other than 200, 304 and 404. */
  otherStatuses(): number {
    let sum = 0;
    for (const [status, n] of this.statuses) if (!['200', '304', '404'].includes(status)) sum += n;
    return sum;
  }
}
