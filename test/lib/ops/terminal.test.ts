import { escapeForTerminal, escapeLines, jsonForTerminal, renderRedriveVerdict, renderSteps } from '../../../lib/ops/terminal';
import { buildTimeline } from '../../../domain/execution-history';
import { stepsOf } from '../../../lib/ops/execution-steps';
import { DEPLOY_MAP, DEPLOY_TASK, deployIterationFailed, T0 } from './histories';

describe('escapeForTerminal', () => {
  test('escape sequences are shown, not interpreted: ESC, CSI, OSC 8 links, BEL', () => {
    const hostile = 'boom\u001b[2J\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007';

    const shown = escapeForTerminal(hostile);

    expect(shown).toBe('boom\\e[2J\\e]8;;https://evil.example\\x07click\\e]8;;\\x07');
    expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  test('newlines, tabs, carriage returns, DEL and the one-byte CSI are visible', () => {
    expect(escapeForTerminal('a\nb\tc\rd\u007fe\u009bf')).toBe('a\\nb\\tc\\rd\\x7fe\\x9bf');
  });

  test('bidirectional overrides (Trojan Source) are visible', () => {
    expect(escapeForTerminal('deploy\u202egnp.exe\u2066x\u2069')).toBe('deploy\\u202egnp.exe\\u2066x\\u2069');
  });

  test('idempotent: escaped text passes through escaping again unchanged (the CLI escapes its output once more); ordinary text and emoji pass unchanged', () => {
    const once = escapeForTerminal('boom\u001b[2J\u202e\n');
    expect(escapeForTerminal(once)).toBe(once);
    expect(escapeLines(once)).toBe(once);
    expect(escapeForTerminal('C:\\new\\x')).toBe('C:\\new\\x');
    expect(escapeForTerminal('Wait for the déploiement ✓ 🚀 #0 web')).toBe('Wait for the déploiement ✓ 🚀 #0 web');
    expect(escapeForTerminal(undefined)).toBe('-');
  });
});

describe('renderSteps', () => {
  test('iterations under their Map by index, the failed step with its error, and what a redrive re-runs', () => {
    const lines = renderSteps(stepsOf(buildTimeline(deployIterationFailed().events)));

    expect(lines).toEqual([
      expect.stringMatching(/^ {2}✓ Claim the app for this build {2}\d+s$/),
      expect.stringMatching(new RegExp(`^ {2}✗ ${DEPLOY_MAP} {2}\\S+ {2}← a redrive re-runs this$`)),
      '    #0 web',
      expect.stringMatching(new RegExp(`^ {6}✗ ${DEPLOY_TASK} {2}\\S+, 1 retry \\(Lambda\\.TooManyRequestsException\\) error DeploymentRolledBack {2}← a redrive re-runs this$`)),
      expect.stringMatching(/^ {10}ECS deployment ecs-svc\/123 of service example--web was rolled back/),
      '    #1 worker',
      expect.stringMatching(new RegExp(`^ {6}✓ ${DEPLOY_TASK} {2}1m\\d\\ds$`)),
    ]);
  });

  test('with an origin, a t+ column for entry and the time a step failed', () => {
    const lines = renderSteps(stepsOf(buildTimeline(deployIterationFailed().events)), { origin: T0 });

    const web = lines.find((l) => l.includes(DEPLOY_TASK) && l.includes('✗'));
    // HistoryBuilder puts events one second apart from T0 unless told otherwise: the web task is the 11th
    // event (t+11s); events 12-18 follow a second apart (t+18s), the retry is scheduled 4 s later (t+22s),
    // two more events (t+24s), the worker succeeds 60 s later (t+84s), two more (t+86s), and web's
    // TaskFailed comes 120 s later: t+206s = t+3m26s.
    expect(web).toMatch(/^t\+11s {5} {6}✗ .*\(failed at t\+3m26s\)/);
  });

  test('state names and causes from AWS are escaped', () => {
    const steps = stepsOf(buildTimeline(deployIterationFailed().events)).map((s) => (s.name === DEPLOY_TASK ? { ...s, name: `evil\u001b[31m`, cause: 'x\u001b]52;c;AAAA\u0007' } : s));

    const text = renderSteps(steps).join('\n');

    expect(text).not.toContain('\u001b');
    expect(text).toContain('evil\\e[31m');
    expect(text).toContain('x\\e]52;c;AAAA\\x07');
  });
});

describe('renderRedriveVerdict', () => {
  test('possible: the innermost states with their iteration, and the command', () => {
    const lines = renderRedriveVerdict(
      { verdict: 'possible', reason: null, instead: null, rerun: [{ state: DEPLOY_MAP, type: 'Map', iteration: [] }, { state: DEPLOY_TASK, type: 'Task', iteration: [{ map: DEPLOY_MAP, index: 0, item: 'web' }] }] },
      'slipway redrive example 42',
    );

    expect(lines).toEqual([`redrive: possible — re-runs "${DEPLOY_TASK}" (${DEPLOY_MAP} #0 web): slipway redrive example 42`]);
  });

  test('would not help: why, and what helps instead; never "possible"', () => {
    const lines = renderRedriveVerdict({ verdict: 'would-not-help', reason: 'a newer build holds the app', instead: 'slipway deploy example --build 42 --force', rerun: [{ state: 'Stop', type: 'Fail', iteration: [] }] });

    expect(lines).toEqual(['redrive would not help: a newer build holds the app', 'instead: slipway deploy example --build 42 --force']);
  });
});

describe('escapeForTerminal, hostile sequences', () => {
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
