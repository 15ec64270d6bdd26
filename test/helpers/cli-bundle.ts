import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `slipway` CLI bundle (dist/slipway.js, made by scripts/build-cli.js) kept current for a jest run.
 *
 * Why: the CLI suites (test/lib/cli/*-cli.test.ts, db, usage, bounded) start bin/slipway.js in
 * child processes, dozens of times. bin/slipway.js runs the bundle only while no source file in it is
 * newer (its `bundleIsFresh`); otherwise it compiles the TypeScript through tsx at every start, about twice
 * the CPU of a start from the bundle. A clone being edited always has a stale bundle (and a git worktree
 * has none at all), so every CLI start of the run paid for the compiling. Rebuilding once here (esbuild,
 * about a second) gives the children the same code as the sources, loaded from one file.
 *
 * Same rule as bin/slipway.js: fresh when dist/slipway.js exists and no file listed in
 * dist/slipway.inputs.json is newer. SLIPWAY_FROM_SOURCE=1 (the CLI then ignores the bundle) skips this.
 */
const ROOT = join(__dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'slipway.js');

/** Whether bin/slipway.js would start from the bundle as the tree is now. */
export function cliBundleIsCurrent(root = ROOT): boolean {
  try {
    const built = statSync(join(root, 'dist', 'slipway.js')).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(root, 'dist', 'slipway.inputs.json'), 'utf8')) as string[];
    return inputs.every((file) => statSync(join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/** Rebuilds the bundle when bin/slipway.js would not use it; a failed build leaves the CLI on tsx. */
export function refreshCliBundle(): void {
  if (process.env.SLIPWAY_FROM_SOURCE === '1' || cliBundleIsCurrent()) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.js')], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    // Not a test failure: the CLI still starts (through tsx), as it does for a user without the bundle.
    process.stderr.write(`jest global setup: could not rebuild ${BUNDLE} (${(e as Error).message.split('\n')[0]}); the CLI tests start it from source\n`);
  }
}
