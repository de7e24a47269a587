// JSON written straight into UTF-8 bytes, for a large answer made of many small pieces: a cold
// lineage graph is ~125 KB from ~3,000 pieces, and joining them into one string and encoding that
// cost more than working out the graph. Pieces that are written again and again (a node's text)
// are encoded once by the caller and copied from then on.

const encoder = new TextEncoder();

/** The UTF-8 bytes of a text. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

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

  /** Bytes already encoded (all of them, or `start` to `end`). */
  bytes(bytes: Uint8Array, start = 0, end = bytes.length): this {
    const n = end - start;
    this.room(n);
    const buffer = this.buffer;
    if (n > 64) buffer.set(bytes.subarray(start, end), this.at);
    else for (let i = start, to = this.at; i < end; i++, to++) buffer[to] = bytes[i]!;
    this.at += n;
    return this;
  }

  /** A text the caller knows to be ASCII (names of kinds and types, ids, JSON punctuation). */
  ascii(text: string): this {
    this.room(text.length);
    const buffer = this.buffer;
    let at = this.at;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.at = at;
    return this;
  }

  /** Any text, encoded as UTF-8. */
  text(text: string): this {
    return this.bytes(utf8(text));
  }

  /** A number as JSON writes it. */
  number(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) return this.ascii(JSON.stringify(value));
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

  /** The text written, in a Buffer of its own (the writer's buffer serves the next text). */
  done(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at);
    out.set(this.buffer.subarray(0, this.at));
    return out;
  }
}
