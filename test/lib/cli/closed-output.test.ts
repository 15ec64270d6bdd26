import { endQuietlyWhenOutputCloses } from '../../../lib/cli/io';

/** A write error as Node reports it on a stream. */
const writeError = (code: string) => Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' });

describe('when the reader of slipway\'s output goes away (`slipway ... | head`)', () => {
  const before = { stdout: process.stdout.listeners('error'), stderr: process.stderr.listeners('error') };
  const exits: number[] = [];
  beforeAll(() => endQuietlyWhenOutputCloses((code) => exits.push(code)));
  afterAll(() => {
    for (const [stream, keep] of [[process.stdout, before.stdout], [process.stderr, before.stderr]] as const) {
      for (const l of stream.listeners('error')) if (!keep.includes(l)) stream.removeListener('error', l as (...args: unknown[]) => void);
    }
  });
  beforeEach(() => (exits.length = 0));

  test('EPIPE on stdout or stderr ends the process with 0 and no stack trace', () => {
    process.stdout.emit('error', writeError('EPIPE'));
    process.stderr.emit('error', writeError('EPIPE'));
    expect(exits).toEqual([0, 0]);
  });

  test('any other write error is still raised', () => {
    expect(() => process.stdout.emit('error', writeError('EIO'))).toThrow('write EIO');
    expect(exits).toEqual([]);
  });
});
