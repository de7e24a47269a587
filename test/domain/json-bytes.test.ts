// The UTF-8 JSON writer the lineage graphs are written with: its pieces come out as JSON.stringify
// and Buffer.from would write them, however large the text grows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../src/domain/json-bytes.js';

describe('JsonBytes', () => {
  it('writes numbers as JSON does', () => {
    const values = [0, 7, 10, 99, 100, 12345, 2 ** 31, Number.MAX_SAFE_INTEGER, -1, -250, 1.5, 0.1, 1e21];
    const json = new JsonBytes().start();
    values.forEach((v, i) => (i > 0 ? json.text(',') : json).number(v));
    expect(json.done().toString('utf8')).toBe(values.map((v) => JSON.stringify(v)).join(','));
  });

  it('encodes text as Buffer.from does: ASCII, accents, other scripts, emoji, lone surrogates', () => {
    const samples = ['plain', 'Müller–Straße', '日産 フェアレディZ', '🏎️ and 🏁', 'lone \ud800 high', 'lone \udc00 low', 'ends high \ud83c', '\u2028\u0000\u007f\u0080\u07ff\u0800\uffff'];
    for (const sample of samples) expect(new JsonBytes().start().text(sample).done(), sample).toEqual(Buffer.from(sample, 'utf8'));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (pieces) => {
        const json = new JsonBytes().start();
        for (const piece of pieces) json.text(piece);
        expect(json.done()).toEqual(Buffer.from(pieces.join(''), 'utf8'));
      }),
    );
  });

  it('grows past its first buffer, and each text is its own: the next one starts empty', () => {
    const json = new JsonBytes();
    const long = 'x'.repeat(1000);
    json.start().text('[');
    for (let i = 0; i < 300; i++) json.text(long).number(i);
    const first = json.text(']').done();
    expect(first.toString('utf8')).toBe(`[${[...Array(300).keys()].map((i) => `${long}${i}`).join('')}]`);
    const second = json.start().text('"short"').done();
    expect(second.toString()).toBe('"short"');
    // The first text is not overwritten by the second.
    expect(first.subarray(0, 4).toString()).toBe('[xxx');
  });
});
