// JSON written straight into UTF-8 bytes, for a large answer made of many small pieces: a cold
// lineage graph is ~125 KB from ~3,000 pieces, and joining them into one string (and then
// encoding it) allocated twice the answer in strings that lived for one request.

/** One text at a time: start(), the pieces in order, then done() for a Buffer of its own. */
export class JsonBytes {
  private buffer = new Uint8Array(64 * 1024);
  private at = 0;

  start(): this {
    this.at = 0;
    return this;
  }

  /** Room for `n` more bytes: the buffer grows (and is kept at that size for the next text). */
  private room(n: number): void {
    if (this.at + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.at + n));
    grown.set(this.buffer.subarray(0, this.at));
    this.buffer = grown;
  }

  /**
   * A text, encoded as UTF-8 as Buffer.from encodes it (a lone surrogate becomes U+FFFD). Texts
   * written again and again are kept by the caller as strings: compact on V8's heap, where a
   * Uint8Array each cost ~10 MB more RSS over the bench's lineage phases.
   */
  text(text: string): this {
    // At most 3 bytes per UTF-16 unit (a surrogate pair, two units, is 4 bytes).
    this.room(text.length * 3);
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        buffer[at++] = c;
      } else if (c < 0x800) {
        buffer[at++] = 0xc0 | (c >> 6);
        buffer[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
        buffer[at++] = 0xf0 | (point >> 18);
        buffer[at++] = 0x80 | ((point >> 12) & 0x3f);
        buffer[at++] = 0x80 | ((point >> 6) & 0x3f);
        buffer[at++] = 0x80 | (point & 0x3f);
      } else {
        if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
        buffer[at++] = 0xe0 | (c >> 12);
        buffer[at++] = 0x80 | ((c >> 6) & 0x3f);
        buffer[at++] = 0x80 | (c & 0x3f);
      }
    }
    this.at = at;
    return this;
  }

  /** A number as JSON writes it. */
  number(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) return this.text(JSON.stringify(value));
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    this.room(digits);
    let at = this.at + digits;
    this.at = at;
    for (let v = value; ; v = Math.floor(v / 10)) {
      this.buffer[--at] = 48 + (v % 10);
      if (v < 10) break;
    }
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** The text written, copied to the start of `target` (at least `length` bytes long). */
  doneInto(target: ArrayBuffer): Buffer {
    const out = Buffer.from(target, 0, this.at);
    out.set(this.buffer.subarray(0, this.at));
    return out;
  }

  /** The text written, in a Buffer of its own (the writer's buffer serves the next text). */
  done(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at);
    out.set(this.buffer.subarray(0, this.at));
    return out;
  }
}
