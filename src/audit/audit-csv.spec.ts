import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvCell } from './audit-csv.js';

/** The text of a quoted CSV cell. */
const unquote = (cell: string) => {
  expect(cell.startsWith('"') && cell.endsWith('"')).toBe(true);
  const inner = cell.slice(1, -1);
  expect(inner.replace(/""/g, '')).not.toContain('"');
  return inner.replace(/""/g, '"');
};

describe('CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['a;=HYPERLINK("http://evil.example","x")', `a;'=HYPERLINK("http://evil.example","x")`],
    ['x,+1', "x,'+1"],
    ['\t=1', "'\t'=1"],
    ['-5', "'-5"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['a\r=b', "a\r'=b"],
    ['a\n+b', "a\n'+b"],
    ['a-b=c', 'a-b=c'],
    ['', ''],
  ])('quotes %j and neutralises formulas in it', (text, expected) => {
    expect(unquote(csvCell(text))).toBe(expected);
  });

  it('quotes empty values, numbers, lists and objects', () => {
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
    expect(csvCell(['supervisor', '=evil'])).toBe(`"supervisor;'=evil"`);
    expect(unquote(csvCell({ q: 'say "hi"', n: -1 }))).toBe('{"q":"say \\"hi\\"","n":-1}');
    expect(unquote(csvCell([1, -1]))).toBe("1;'-1");
  });

  it('never leaves a formula character at the start or after a separator', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ',', ';', 'a', '"'),
        }),
        (text) => {
          const inner = unquote(csvCell(text));
          expect(inner).not.toMatch(/(^|[,;\t\r\n])[=+\-@\t\r]/);
          expect(inner.replace(/'/g, '')).toBe(text.replace(/'/g, ''));
        },
      ),
    );
  });
});
