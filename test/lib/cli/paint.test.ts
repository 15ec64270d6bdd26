import { colourWanted, paint } from '../../../lib/cli/io';

/**
 * The marks' colours as ECMA-48 (ISO 6429) SGR sequences: 31/32/33 set the foreground to red, green and
 * yellow and 39 restores the default foreground; 1 is bold and 22 normal intensity. Each style closes only
 * what it opened, so a mark never ends the terminal's other attributes.
 */
const SGR = (code: number) => `\u001b[${code}m`;

describe('paint', () => {
  test('marks of our own output, each in its colour and closed by its own reset', () => {
    expect(paint('✓ web deployed')).toBe(`${SGR(32)}✓${SGR(39)} web deployed`);
    expect(paint('✗ worker failed')).toBe(`${SGR(31)}✗${SGR(39)} worker failed`);
    expect(paint('deploying…')).toBe(`deploying${SGR(33)}…${SGR(39)}`);
    expect(paint('error: UsageError')).toBe(`${SGR(31)}error:${SGR(39)} UsageError`);
    expect(paint('warning: slow')).toBe(`${SGR(1)}${SGR(33)}warning:${SGR(39)}${SGR(22)} slow`);
  });

  test('"error:" and "warning:" only at the start of a line; text without marks is left as it is', () => {
    expect(paint('the build said error: x')).toBe('the build said error: x');
    expect(paint('a\nerror: b')).toBe(`a\n${SGR(31)}error:${SGR(39)} b`);
    expect(paint('plain text, 12 apps')).toBe('plain text, 12 apps');
  });
});

describe('colourWanted', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  test('a terminal is coloured, a pipe or a dumb terminal is not', () => {
    expect(colourWanted(tty, {})).toBe(true);
    expect(colourWanted(pipe, {})).toBe(false);
    expect(colourWanted(tty, { TERM: 'dumb' })).toBe(false);
  });

  test('NO_COLOR (any non-empty value) wins over everything; FORCE_COLOR colours a pipe unless it is 0', () => {
    expect(colourWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted(pipe, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colourWanted(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourWanted(tty, { NO_COLOR: '' })).toBe(true);
  });
});
