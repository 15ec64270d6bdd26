import { escapeForTerminal, escapeLines, jsonForTerminal } from '../../../lib/ops/terminal';

describe('escapeForTerminal', () => {
  test.each([
    ['an ANSI colour and cursor sequence', 'ex\u001b[2J\u001b[Hample', 'ex\\e[2J\\e[Hample'],
    ['a window-title sequence ended by BEL', '\u001b]0;owned\u0007', '\\e]0;owned\\x07'],
    ['a newline and carriage return that would fake a line', 'app\nerror: fake\rX', 'app\\nerror: fake\\rX'],
    ['a one-byte C1 CSI', 'a\u009b31mb', 'a\\x9b31mb'],
    ['DEL and NUL', 'a\u007fb\u0000c', 'a\\x7fb\\x00c'],
    ['a right-to-left override', 'exe.\u202etxt', 'exe.\\u202etxt'],
  ])('writes %s as visible escapes', (_what, input, expected) => {
    expect(escapeForTerminal(input)).toBe(expected);
  });

  test('leaves printable text alone, non-ASCII included', () => {
    const text = 'build 42 ✓ déployé — 部署 🚀 "quoted" C:\\path';

    expect(escapeForTerminal(text)).toBe(text);
  });
});

describe('escapeLines', () => {
  test('keeps the newlines between lines and escapes what is inside each', () => {
    expect(escapeLines('title\n  \u001b[31mred\u001b[0m\tcell')).toBe('title\n  \\e[31mred\\e[0m\\tcell');
  });
});

describe('jsonForTerminal', () => {
  test('escapes C1 controls and bidi overrides that JSON.stringify leaves raw, and still parses to the same value', () => {
    const value = { name: 'a\u009b2Jb\u202ec', note: 'é✓' };
    const text = jsonForTerminal(value, 0);

    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
