import * as path from 'node:path';
import { LOCAL_AWS_ENV, runWithTsx } from './child-cli';

/**
 * The operator CLI loads nothing of the local runner (lib/local simulates AWS for `slipway local` and
 * the tests): not at start, not for help, not for a command. Only `slipway local run` loads it, when a
 * run starts.
 */

const RUNNER = path.join(__dirname, 'run-loaded-modules.ts');

async function loadedModules(commandLines: string[][]): Promise<string[]> {
  const run = await runWithTsx(RUNNER, [JSON.stringify(commandLines)], LOCAL_AWS_ENV);
  if (run.code !== 0) throw new Error(`the runner failed (exit ${run.code}): ${run.stderr}`);
  return run.stdout.slice(run.stdout.indexOf('--- loaded modules ---\n') + 23).split('\n').filter((l) => l.length > 0);
}

test('help, every group\'s help and commands refused before AWS load no module of lib/local', async () => {
  // Act: usage errors (a bad app name, a bad prefix, a bad range) end before any AWS call.
  const loaded = await loadedModules([
    ['--help'],
    ['apps', '--help'],
    ['config', '--help'],
    ['local', '--help'],
    ['status', 'Example', '42'],
    ['alarms', 'example', '--prefix', '../x'],
    ['scale', 'example', 'web', '6-2'],
    ['config', 'get', '../x', 'KEY'],
  ]);

  // Assess: the CLI's own modules were seen (the list is real), and none under lib/local.
  expect(loaded).toEqual(expect.arrayContaining([path.join('bin', 'slipway.ts'), path.join('lib', 'cli', 'program.ts')]));
  expect(loaded.filter((file) => file.startsWith(path.join('lib', 'local') + path.sep))).toEqual([]);
});
