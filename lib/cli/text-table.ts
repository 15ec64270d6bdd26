import stringWidth from 'string-width';
import { escapeForTerminal } from '../ops/terminal';

/**
 * Text padded with spaces to `width` terminal columns. Columns are counted by string-width (Unicode's East
 * Asian Width, UAX #11: a CJK character or an emoji takes two, a combining mark none), not by characters.
 */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** Text cut to at most `width` columns, ending in "…" when cut, never inside a grapheme (Intl.Segmenter). */
function clipToWidth(text: string, width: number): { text: string; cut: boolean } {
  if (stringWidth(text) <= width) return { text, cut: false };
  let kept = '';
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    if (stringWidth(kept + segment) > width - 1) break;
    kept += segment;
  }
  return { text: `${kept}…`, cut: true };
}

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** A cell wider than this many terminal columns is cut, ending in "…". @default 40 */
  readonly maxCellWidth?: number;
}

/** A value as a table cell: NULL for null, JSON for objects and arrays, escaped for the terminal. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeForTerminal(JSON.stringify(value));
  return escapeForTerminal(String(value));
}

/**
 * Rows as an aligned text table under a header of the field names, in the order of `fields` (then any
 * other key the rows have). Returns the lines and whether a cell was cut.
 */
export function formatTable(fields: readonly string[], rows: readonly Record<string, unknown>[], options: TableOptions = {}): { text: string; cut: boolean } {
  const max = options.maxCellWidth ?? 40;
  const columns = [...fields];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  let cut = false;
  const clip = (s: string) => {
    const clipped = clipToWidth(s, max);
    cut ||= clipped.cut;
    return clipped.text;
  };
  const header = columns.map((c) => clip(escapeForTerminal(c)));
  const body = rows.map((row) => columns.map((c) => clip(cellText(row[c]))));
  const widths = header.map((h, i) => Math.max(stringWidth(h), ...body.map((r) => stringWidth(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => padToWidth(c, widths[i])).join(' │ ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return { text: [line(header), rule, ...body.map(line)].join('\n'), cut };
}
