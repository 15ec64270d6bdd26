import { execFile } from 'node:child_process';
import * as path from 'node:path';

/**
 * The operator CLI loads nothing of the local runner (lib/local simulates AWS for `slipway local` and
 * the tests): not at start, not for help, not for a command. Only `slipway local run` loads it, when a
 * run starts.
 */

const RUNNER = path.join(__dirname, 'run-loaded-modules.ts');
const TSX = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

function loadedModules(commandLines: string[][]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NODE_NO_WARNINGS: '1' };
    execFile(TSX, [RUNNER, JSON.stringify(commandLines)], { env, timeout: 30_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.slice(stdout.indexOf('--- loaded modules ---\n') + 23).split('\n').filter((l) => l.length > 0));
    });
  });
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
