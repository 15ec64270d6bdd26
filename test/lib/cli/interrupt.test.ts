/**
 * Ctrl-C (lib/cli/runtime.ts onInterrupt): the plain exit 130 with one line, or a command's own handler
 * (`slipway run` stops its task), with a second Ctrl-C that exits at once.
 */
import type { CliIo } from '../../../lib/cli/io';
import { applyGlobalOptions, follows, handleInterrupts, onInterrupt } from '../../../lib/cli/runtime';

function io() {
  const printed = { out: [] as string[], err: [] as string[], exits: [] as number[] };
  const cliIo: CliIo = { stdout: (t) => printed.out.push(t), stderr: (t) => printed.err.push(t), exit: (c) => printed.exits.push(c) };
  return { cliIo, printed };
}

const PLAIN = 'error: Interrupted: stopped by Ctrl-C (anything already started in AWS goes on)';

test('with no handler: one line, exit 130', () => {
  const { cliIo, printed } = io();

  onInterrupt(cliIo, false, () => undefined);

  expect(printed).toEqual({ out: [], err: [PLAIN], exits: [130] });
});

test('a handler takes the first Ctrl-C (its line, no exit); the second exits 130 at once with its message', () => {
  const { cliIo, printed } = io();
  let second: (() => void) | undefined;
  const release = handleInterrupts({ first: () => 'stopping task 1234\x1b[2J', second: () => 'a second Ctrl-C: task 1234 may still run' });

  onInterrupt(cliIo, true, (l) => (second = l));

  expect(printed).toEqual({ out: [], err: ['stopping task 1234\\e[2J'], exits: [] });
  second?.();
  expect(printed.exits).toEqual([130]);
  expect(printed.err[1]).toBe('error: Interrupted: a second Ctrl-C: task 1234 may still run');
  expect(JSON.parse(printed.out[0])).toEqual({ error: 'Interrupted', message: 'a second Ctrl-C: task 1234 may still run' });
  release();
});

test('a handler that declines (nothing to stop yet) gets the plain exit', () => {
  const { cliIo, printed } = io();
  const release = handleInterrupts({ first: () => undefined, second: () => 'unused' });

  onInterrupt(cliIo, false, () => undefined);

  expect(printed).toEqual({ out: [], err: [PLAIN], exits: [130] });
  release();
});

test('once released (the command ended), Ctrl-C is the plain exit again', () => {
  const { cliIo, printed } = io();
  const first = jest.fn(() => 'stopping');
  handleInterrupts({ first, second: () => 'unused' })();

  onInterrupt(cliIo, false, () => undefined);

  expect(first).not.toHaveBeenCalled();
  expect(printed.exits).toEqual([130]);
});

describe('the default time bound of run', () => {
  test('run follows its task (2 h); run --detach only starts it (60 s), as any one-shot command', () => {
    expect(applyGlobalOptions({}, ['run'], {})).toBe(7_200_000);
    expect(applyGlobalOptions({ detach: true }, ['run'], {})).toBe(60_000);
    expect(follows({ detach: true }, ['run'])).toBe(false);
  });
});
