import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { INPUT_FILE_MAX_BYTES, INPUT_MAX_DEPTH, jsonDepth, readInputJson } from '../../../lib/cli/input-files';
import { registerLocalCommands } from '../../../lib/cli/local';
import type { CliIo } from '../../../lib/cli/io';

// Input files of local runs read as a stranger's input (issue 27, point 9): regular files only, bounded.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test.each<[string, () => string, RegExp]>([
  ['/dev/zero', () => '/dev/zero', /is not a regular file \(a folder, device or FIFO\)/],
  [
    'a FIFO with no writer (returns at once, never blocks)',
    () => {
      const p = join(dir, 'fifo');
      execFileSync('mkfifo', [p]);
      return p;
    },
    /is not a regular file/,
  ],
  [
    'a folder',
    () => {
      const p = join(dir, 'folder');
      mkdirSync(p);
      return p;
    },
    /is not a regular file/,
  ],
  ['a missing file', () => join(dir, 'nope.json'), /cannot be read/],
  ['a file over 1 MiB', () => file('big.json', `"${'x'.repeat(INPUT_FILE_MAX_BYTES)}"`), /has \d+ bytes, more than the 1048576/],
  ['5,000-deep JSON', () => file('deep.json', `${'['.repeat(5000)}${']'.repeat(5000)}`), new RegExp(`nests JSON more than ${INPUT_MAX_DEPTH} levels deep`)],
  ['not JSON', () => file('bad.json', '{"a": '), /is not JSON/],
])('%s is a UsageError naming the file', (_name, make, message) => {
  const p = make();
  let thrown: unknown;
  try {
    readInputJson(p, 'event');
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toMatchObject({ name: 'UsageError', message: expect.stringMatching(message) });
  expect((thrown as Error).message).toContain(p);
});

test('a JSON file within the limits is read; brackets inside strings do not count as depth', () => {
  const p = file('ok.json', JSON.stringify({ a: [{ b: '[[[[[[' }], c: '\\"{{{' }));
  expect(readInputJson(p, 'event')).toEqual({ a: [{ b: '[[[[[[' }], c: '\\"{{{' });
  expect(jsonDepth('{"a":[{"b":"[[[[[["}]}')).toBe(3);
});

test('slipway local run --event <FIFO> exits 2 with one line, at once', async () => {
  const fifo = join(dir, 'event-fifo');
  execFileSync('mkfifo', [fifo]);
  const err: string[] = [];
  let code: number | undefined;
  const io = { stdout: () => undefined, stderr: (t: string) => err.push(t) } as unknown as CliIo;
  const program = new Command('slipway').exitOverride();
  registerLocalCommands(program, (c) => (code = c), io, () => dir);
  await program.parseAsync(['node', 'slipway', 'local', 'run', 'release', '--event', fifo]);
  expect(code).toBe(2);
  expect(err.join('\n')).toMatch(/^error: UsageError: event file .*event-fifo is not a regular file/);
});

// The README's examples pass worlds as `--world <(echo '{...}')`: bash hands over a pipe (/dev/fd/N) a
// process writes into, which is read to its end like a file, within the same limits.
const INPUT_FILES_MODULE = join(__dirname, '..', '..', '..', 'lib', 'cli', 'input-files.ts');
/** What readInputJson returns (as JSON) or throws (as "Name: message") for `<(writer)` in bash. */
const readThroughBash = (writer: string): string =>
  execFileSync(
    'bash',
    ['-c', `node -e 'try { process.stdout.write(JSON.stringify(require(process.argv[1]).readInputJson(process.argv[2], "world"))) } catch (e) { process.stdout.write(e.name + ": " + e.message) }' "$0" <(${writer})`, INPUT_FILES_MODULE],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '--require tsx/cjs' } },
  );

test('a pipe a process writes into (bash <(echo ...)) is read as JSON', () => {
  expect(JSON.parse(readThroughBash(`echo '{"release":{"exitCode":1}}'`))).toEqual({ release: { exitCode: 1 } });
  // A writer that takes its time is waited for.
  expect(JSON.parse(readThroughBash(`sleep 0.3; echo '[1, 2]'`))).toEqual([1, 2]);
});

test('a pipe that carries more than 1 MiB is refused by name', () => {
  expect(readThroughBash(`head -c 2000000 /dev/zero | tr '\\0' ' '`)).toMatch(/^UsageError: world file \/dev\/fd\/\d+ has more than the 1048576 bytes/);
});
