/**
 * Text from outside (app names, execution names, causes, log lines, SQL results) printed to a terminal
 * must not be able to move the cursor, clear the screen, set the window title or fake a line of our own
 * output. Everything printed from outside goes through {@link escapeForTerminal}.
 */

// C0 controls (newline and tab included), DEL, C1 controls (0x80-0x9f: 0x9b is a one-byte CSI), and the
// Unicode bidirectional overrides and isolates, which can make a terminal show text in another order.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/**
 * Returns `s` with every control character, C1 control and bidirectional override written as a
 * visible escape (`\e`, `\n`, `\r`, `\t`, `\x07`, `\u202e`), so that it prints as one inert line.
 */
export function escapeForTerminal(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Escapes a block of our own output line by line: the newlines between lines are kept, anything else
 * that could steer the terminal is escaped. For text rendered from outside data by several lines of
 * our own (a timeline, a table).
 */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeForTerminal).join('\n');
}

// JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidirectional overrides raw.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** A JSON document that prints inertly on a terminal and parses to the same value (`indent` 0: one line). */
export function jsonForTerminal(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent || undefined).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
