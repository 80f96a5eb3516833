/**
 * The lines of a UTF-8 file, decoded only when asked for: loading 100,000 articles needs only each
 * file's title, first paragraph and tag line, and decoding whole files was most of the load time.
 * Lines end with LF or CRLF.
 */
export class Lines {
  readonly #bytes: Buffer;
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  /** Splits `bytes[from…]` into lines. */
  constructor(bytes: Buffer, from = 0) {
    this.#bytes = bytes;
    let start = from;
    while (start <= bytes.length) {
      let end = bytes.indexOf(10, start);
      const next = end < 0 ? bytes.length + 1 : end + 1;
      if (end < 0) end = bytes.length;
      this.#starts.push(start);
      this.#ends.push(end > start && bytes[end - 1] === 13 ? end - 1 : end);
      start = next;
    }
  }

  /** Number of lines; text that ends with a line break has an empty last line. */
  get length(): number {
    return this.#starts.length;
  }

  /** The text of line `i`, without its line break. */
  text(i: number): string {
    return this.#bytes.toString('utf8', this.#starts[i], this.#ends[i]);
  }

  /** Whether line `i` holds only white space; decodes it only when it starts with a non-ASCII byte. */
  isBlank(i: number): boolean {
    const start = this.#starts[i]!;
    const end = this.#ends[i]!;
    for (let p = start; p < end; p++) {
      const byte = this.#bytes[p]!;
      if (byte === 32 || byte === 9 || byte === 13 || byte === 11 || byte === 12) continue;
      return byte < 0x80 ? false : this.text(i).trim() === '';
    }
    return true;
  }

  /** The text of lines `from` to `to` (exclusive), joined with LF. */
  join(from: number, to: number): string {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(this.text(i));
    return parts.join('\n');
  }
}
