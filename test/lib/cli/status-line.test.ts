import { CallsInFlight } from '../../../lib/ops/aws-clients';
import { StatusLine, startSpinner } from '../../../lib/cli/status-line';

/** A fake stderr that records what is written. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 80, write: (s: string) => writes.push(s), writes };
}

const never = () => () => undefined;

describe('the "waiting for AWS" spinner', () => {
  test('on a terminal it appears once a call has waited a second, names the call, and goes when the call ends', () => {
    const out = stream(true);
    const calls = new CallsInFlight();
    let now = 10_000;
    const spinner = startSpinner(new StatusLine(out), calls, { now: () => now, every: never });
    const end = calls.start('STS GetCallerIdentity', now);

    now += 500;
    spinner.tick();
    const beforeASecond = out.writes.length;
    now += 1000;
    spinner.tick();
    const shown = out.writes.at(-1);
    end();
    spinner.tick();

    expect(beforeASecond).toBe(0);
    expect(shown).toBe('\r\x1b[K⠋ waiting for STS GetCallerIdentity (1 s)');
    expect(out.writes.at(-1)).toBe('\r\x1b[K');
  });

  test('on a pipe it writes nothing at all', () => {
    const out = stream(false);
    const calls = new CallsInFlight();
    let now = 0;
    const spinner = startSpinner(new StatusLine(out), calls, { now: () => now, every: never });
    calls.start('SSM GetParameter', now);

    now += 5000;
    spinner.tick();
    spinner.stop();

    expect(out.writes).toEqual([]);
  });
});

describe('StatusLine', () => {
  test('a progress line stays on screen as history when output follows; a spinner alone is wiped', () => {
    const out = stream(true);
    const line = new StatusLine(out);

    line.progress('build 42  build ✓ 3s');
    line.beforeOutput();
    line.spinner('⠋ waiting');
    line.beforeOutput();

    expect(out.writes).toEqual(['\r\x1b[Kbuild 42  build ✓ 3s', '\n', '\r\x1b[K⠋ waiting', '\r\x1b[K']);
  });

  test('progress from outside is escaped, on a terminal and on a pipe', () => {
    const tty = stream(true);
    const pipe = stream(false);

    new StatusLine(tty).progress('build 1 \u001b]0;x\u0007');
    new StatusLine(pipe).progress('build 1 \u001b]0;x\u0007');

    expect(tty.writes).toEqual(['\r\x1b[Kbuild 1 \\e]0;x\\x07']);
    expect(pipe.writes).toEqual(['build 1 \\e]0;x\\x07\n']);
  });
});
