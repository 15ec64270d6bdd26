import { formatResult } from '../../../lib/cli/db-command';
import { formatTable } from '../../../lib/cli/text-table';
import type { RunSqlResult } from '../../../domain/database';

const sqlResult = (over: Partial<RunSqlResult>): RunSqlResult => ({
  action: 'runSql',
  database: 'shop',
  changed: true,
  rowCount: 0,
  fields: [],
  rows: [],
  truncated: false,
  durationMs: 3.2,
  message: 'ran in database "shop" in 3.2 ms',
  ...over,
});

describe('formatTable', () => {
  test('aligns the columns under a header, NULL for null, JSON for objects', () => {
    const { text, cut } = formatTable(['id', 'name', 'tags'], [
      { id: 1, name: 'ada', tags: ['a', 'b'] },
      { id: 22, name: null, tags: { x: 1 } },
    ]);

    expect(text.split('\n')).toEqual([
      'id │ name │ tags',
      '───┼──────┼──────────',
      '1  │ ada  │ ["a","b"]',
      '22 │ NULL │ {"x":1}',
    ]);
    expect(cut).toBe(false);
  });

  test('cuts a long cell with … and says so', () => {
    const { text, cut } = formatTable(['v'], [{ v: 'x'.repeat(50) }], { maxCellWidth: 10 });

    expect(text.split('\n')[2]).toBe(`${'x'.repeat(9)}…`);
    expect(cut).toBe(true);
  });

  test('aligns by terminal columns: a CJK character or an emoji takes two, a combining accent none', () => {
    // UAX #11: 日 and 本 are East Asian Wide (2 columns each); 🚀 is an emoji presentation (2); e + U+0301 is 1.
    const { text } = formatTable(['name', 'n'], [
      { name: '日本', n: 1 },
      { name: 'cafe\u0301', n: 2 },
      { name: '🚀', n: 3 },
    ]);

    expect(text.split('\n')).toEqual(['name │ n', '─────┼──', '日本 │ 1', 'cafe\u0301 │ 2', '🚀   │ 3']);
  });

  test('cuts by columns too, never inside a character', () => {
    // 5 columns: two wide characters (4) and the … (1).
    const { text, cut } = formatTable(['v'], [{ v: '日本語のテキスト' }], { maxCellWidth: 5 });

    expect(text.split('\n')[2]).toBe('日本…');
    expect(cut).toBe(true);
  });

  test('escapes values from the database for the terminal', () => {
    const { text } = formatTable(['v'], [{ v: 'a\u001b[2Jb\nc' }]);

    expect(text.split('\n')[2]).toBe('a\\e[2Jb\\nc');
  });
});

describe('db sql output (formatResult)', () => {
  test('prints the rows as a table, then the row count', () => {
    const text = formatResult(sqlResult({ rowCount: 2, fields: ['n'], rows: [{ n: 1 }, { n: 2 }], message: 'ran in database "shop" in 3.2 ms: 2 row(s)' }));

    expect(text.split('\n')).toEqual(['n', '─', '1', '2', '2 row(s) — ran in database "shop" in 3.2 ms: 2 row(s)']);
  });

  test('states the truncation when the manager returned only the first rows', () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ n: i }));
    const text = formatResult(sqlResult({ rowCount: 150, fields: ['n'], rows, truncated: true }));

    expect(text.split('\n').pop()).toMatch(/^150 row\(s\), first 3 shown \(the manager returns at most 3 rows: narrow the query/);
  });

  test('a statement without rows prints only the count', () => {
    expect(formatResult(sqlResult({ rowCount: 0, message: 'ran in database "shop" in 1 ms: 0 row(s)' }))).toBe('0 row(s) — ran in database "shop" in 1 ms: 0 row(s)');
  });
});
