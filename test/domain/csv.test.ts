// The CSV writer: RFC 4180 quoting, CRLF, the BOM option, and the formula-injection guard of
// DESIGN §4 (text starting with =, +, -, @, tab or CR gets a leading ').
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvLine, stripInjectionPrefix, toCsv, wantsCsv } from '../../src/domain/csv.js';

describe('csvCell', () => {
  it('leaves plain text alone and quotes text with a comma, a quote, CR or LF (quotes doubled)', () => {
    expect(csvCell('Ariya NISMO')).toBe('Ariya NISMO');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('the "Z"')).toBe('"the ""Z"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('日本語 テスト')).toBe('日本語 テスト');
  });

  it.each([
    ['=1+2', "'=1+2"],
    ['+81 3 1234', "'+81 3 1234"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tindent', "'\tindent"],
  ])('prefixes text starting with a formula character: %j', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it('prefixes text starting with CR, then quotes it (it holds a CR)', () => {
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
  });

  it('prefixes and quotes a formula with quotes and commas', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('does not prefix text where the character is not first', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(' =x')).toBe(' =x');
    expect(csvCell("'quoted")).toBe("'quoted");
  });

  it('writes numbers untouched (negative numbers too), booleans as words, null as empty', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(52.3)).toBe('52.3');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('csvLine and toCsv', () => {
  it('ends every record with CRLF', () => {
    expect(csvLine(['a', 1, null, '=x'])).toBe("a,1,,'=x\r\n");
  });

  it('writes a header row and one line per row, by key or by column function', () => {
    const rows = [
      { name: 'Z NISMO', units: 1200, note: 'with, comma' },
      { name: '-minus', units: -3, note: null },
    ];
    expect(toCsv(['name', 'units', 'note'], rows)).toBe("name,units,note\r\nZ NISMO,1200,\"with, comma\"\r\n'-minus,-3,\r\n");
    expect(toCsv([{ header: 'Upper', value: (r: (typeof rows)[number]) => r.name.toUpperCase() }], rows)).toBe("Upper\r\nZ NISMO\r\n'-MINUS\r\n");
  });

  it('writes the header alone for no rows, and guards header cells too', () => {
    expect(toCsv(['a', '=b'], [])).toBe("a,'=b\r\n");
  });

  it('starts with a UTF-8 BOM only when asked', () => {
    const withBom = toCsv(['name'], [{ name: 'ノート オーラ' }], { bom: true });
    expect(withBom.startsWith(CSV_BOM)).toBe(true);
    expect(withBom.slice(1)).toBe('name\r\nノート オーラ\r\n');
    expect(Buffer.from(withBom, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(toCsv(['name'], []).startsWith(CSV_BOM)).toBe(false);
  });
});

describe('stripInjectionPrefix', () => {
  it('removes exactly the prefix the writer adds, and nothing else', () => {
    for (const text of ['=1+2', '+81', '-5', '@x', '\tx', '\rx']) expect(stripInjectionPrefix(csvCell(text).replace(/^"|"$/g, ''))).toBe(text);
    expect(stripInjectionPrefix("'hello")).toBe("'hello");
    expect(stripInjectionPrefix("'")).toBe("'");
    expect(stripInjectionPrefix("''=x")).toBe("''=x");
  });
});

describe('wantsCsv', () => {
  it('follows format first, then an Accept header that prefers text/csv', () => {
    expect(wantsCsv('csv', undefined)).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'text/csv; charset=utf-8')).toBe(true);
    expect(wantsCsv(undefined, 'application/json')).toBe(false);
    expect(wantsCsv(undefined, '*/*')).toBe(false);
    expect(wantsCsv(undefined, 'application/json, text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'application/json;q=0.5, text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'text/csv;q=0')).toBe(false);
    expect(wantsCsv(undefined, undefined)).toBe(false);
  });
});
