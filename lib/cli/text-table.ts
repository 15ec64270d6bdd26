import { escapeForTerminal } from '../ops/terminal';

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** A cell longer than this is cut, ending in "…". @default 40 */
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
    if ([...s].length <= max) return s;
    cut = true;
    return `${[...s].slice(0, max - 1).join('')}…`;
  };
  const header = columns.map((c) => clip(escapeForTerminal(c)));
  const body = rows.map((row) => columns.map((c) => clip(cellText(row[c]))));
  const width = (s: string) => [...s].length;
  const widths = header.map((h, i) => Math.max(width(h), ...body.map((r) => width(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join(' │ ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return { text: [line(header), rule, ...body.map(line)].join('\n'), cut };
}
