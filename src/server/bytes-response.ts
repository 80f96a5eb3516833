/**
 * The response a static export reads (hono's `toSSG` takes each route's body with `arrayBuffer()`, or
 * `text()` for text and JSON types). A plain `Response` copies a body given as bytes into a new stream
 * and copies it out again when read: measured at a tenth of a 10k-article export. This one holds the
 * prepared bytes and hands them out directly; its stream body is empty, so it is for in-process readers
 * that call `arrayBuffer()` or `text()`, never for a socket.
 */
import { markComplete } from './prepared.ts';

export class BytesResponse extends Response {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer, contentType: string) {
    super(null, { headers: { 'Content-Type': contentType } });
    this.#bytes = bytes;
    markComplete(this);
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#bytes;
    // A buffer that owns its whole memory is handed out as it is; a slice of Node's pool is copied.
    const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
    return whole ? (b.buffer as ArrayBuffer) : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  override async text(): Promise<string> {
    return this.#bytes.toString('utf8');
  }
}
