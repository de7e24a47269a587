// The UTF-8 JSON writer the lineage graphs are written with: its pieces come out as JSON.stringify
// and Buffer.from would write them, however large the text grows.
import { describe, expect, it } from 'vitest';
import { JsonBytes, utf8 } from '../../src/domain/json-bytes.js';

describe('JsonBytes', () => {
  it('writes numbers as JSON does', () => {
    const values = [0, 7, 10, 99, 100, 12345, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, -250, 1.5, 0.1, 1e21];
    const json = new JsonBytes().start();
    values.forEach((v, i) => (i > 0 ? json.ascii(',') : json).number(v));
    expect(json.done().toString('utf8')).toBe(values.map((v) => JSON.stringify(v)).join(','));
  });

  it('writes texts and encoded bytes as UTF-8, whole or in part', () => {
    const name = JSON.stringify('Müller "quoted" 🏎️ \n');
    const json = new JsonBytes().start().ascii('{"a":').text(name).ascii(',"b":').bytes(utf8('[1,2,3]'), 1, 6).ascii('}');
    expect(json.done().toString('utf8')).toBe(`{"a":${name},"b":1,2,3}`);
  });

  it('grows past its first buffer, and each text is its own: the next one starts empty', () => {
    const json = new JsonBytes();
    const long = utf8('x'.repeat(1000));
    json.start().ascii('[');
    for (let i = 0; i < 300; i++) json.bytes(long).number(i);
    const first = json.ascii(']').done();
    expect(first.length).toBe(2 + 300 * 1000 + [...Array(300).keys()].join('').length);
    expect(first.subarray(0, 4).toString()).toBe('[xxx');
    const second = json.start().ascii('"short"').done();
    expect(second.toString()).toBe('"short"');
    // The first text is not overwritten by the second.
    expect(first.subarray(0, 4).toString()).toBe('[xxx');
  });
});
