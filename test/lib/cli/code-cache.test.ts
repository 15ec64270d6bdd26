import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * bin/slipway.js loads dist/slipway.js with a V8 code cache beside it. V8 accepts a cache for any source of
 * the same length (its check is the length, not the text), so a rebuilt bundle of the same length ran the
 * old bundle's functions until the cache was keyed to the bundle it was made from.
 */
describe('the code cache of the CLI bundle', () => {
  let root: string;
  const bundle = () => join(root, 'dist', 'slipway.js');
  const cache = () => `${bundle()}.cache`;
  /** A stand-in bundle whose main prints `word`; every word of the same length gives the same size. */
  const writeBundle = (word: string, mtime: Date) => {
    writeFileSync(bundle(), `exports.main = async () => { process.stdout.write('${word}\\n'); return 0; }; exports.onInterrupt = () => {}; exports.processIo = {};`);
    utimesSync(bundle(), mtime, mtime);
  };
  const run = () => execFileSync(process.execPath, [join(root, 'bin', 'slipway.js')], { encoding: 'utf8', env: { ...process.env, SLIPWAY_FROM_SOURCE: '' } }).trim();

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'slipway-code-cache-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dist'));
    copyFileSync(join(__dirname, '..', '..', '..', 'bin', 'slipway.js'), join(root, 'bin', 'slipway.js'));
    // No project source in this bundle: it is always fresh, so the loader takes it (and its cache).
    writeFileSync(join(root, 'dist', 'slipway.inputs.json'), '[]\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('the first run writes the cache; the next run uses it and leaves it as it is', () => {
    writeBundle('AAAA', new Date('2026-12-01T00:00:00Z'));

    expect(run()).toBe('AAAA');
    const written = statSync(cache()).mtimeMs;
    expect(run()).toBe('AAAA');
    expect(statSync(cache()).mtimeMs).toBe(written);
  });

  test('a rebuilt bundle of the same size runs its own code, not the cached code of the old one', () => {
    writeBundle('AAAA', new Date('2026-12-01T00:00:00Z'));
    expect(run()).toBe('AAAA');
    const oldSize = statSync(bundle()).size;

    writeBundle('BBBB', new Date('2026-12-01T00:00:05Z'));

    expect(statSync(bundle()).size).toBe(oldSize);
    expect(run()).toBe('BBBB');
    expect(run()).toBe('BBBB');
  });
});
