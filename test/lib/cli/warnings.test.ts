import { dropNodeVersionSupportWarning, isNodeVersionSupportWarning } from '../../../lib/cli/warnings';

/** The CLI's warning filter: the AWS SDK's Node.js version notice only (lib/cli/warnings.ts). */

// The text @aws-sdk/core emits on Node.js < 22 (emitWarningIfUnsupportedVersion), shortened.
const SDK_NOTICE = 'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after the first week of January 2027\nwill require node >=22.';

/** A process whose emitWarning records what reaches it. */
function fakeProcess() {
  const emitted: unknown[][] = [];
  const proc = { emitWarning: ((...args: unknown[]) => void emitted.push(args)) as NodeJS.Process['emitWarning'] };
  return { proc, emitted };
}

test('the SDK\'s Node.js version notice is dropped', () => {
  // Prepare
  const { proc, emitted } = fakeProcess();
  dropNodeVersionSupportWarning(proc);

  // Act
  proc.emitWarning(SDK_NOTICE);

  // Assess
  expect(emitted).toEqual([]);
});

test('every other warning passes, with its arguments', () => {
  // Prepare
  const { proc, emitted } = fakeProcess();
  dropNodeVersionSupportWarning(proc);
  const deprecation = new Error('Buffer() is deprecated');
  deprecation.name = 'DeprecationWarning';

  // Act
  proc.emitWarning('a warning about The AWS SDK for JavaScript (v3) that is not the version notice', 'Warning');
  proc.emitWarning(deprecation);

  // Assess
  expect(emitted).toEqual([['a warning about The AWS SDK for JavaScript (v3) that is not the version notice', 'Warning'], [deprecation]]);
});

test.each([
  [SDK_NOTICE, true],
  [Object.assign(new Error('The AWS SDK for JavaScript (v3) will require node >=22'), { name: 'NodeVersionSupportWarning' }), true],
  ['ExperimentalWarning: Fetch is experimental', false],
  ['NodeDeprecationWarning: something else', false],
])('isNodeVersionSupportWarning(%p) is %s', (warning, expected) => {
  expect(isNodeVersionSupportWarning(warning)).toBe(expected);
});
