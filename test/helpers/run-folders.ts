import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Names the folder (made by jest-global-setup.ts, removed by jest-global-teardown.ts) where
 * test/helpers/example-stacks.ts keeps the templates it synthesized in this run (and what cdk-nag found in
 * the example app's stacks).
 */
export const SYNTH_ENV = 'SLIPWAY_SYNTHESIZED';

/**
 * A value one test file of the run computed, for the later test files of every worker (jest gives each
 * test file fresh modules, so only the disk outlives it): stored under the run folder named by the
 * environment variable `env`, one file per key. Outside a jest run (no such folder) nothing is kept.
 */
export class RunCache<T> {
  constructor(private readonly env: string) {}

  private file(key: string): string | undefined {
    const dir = process.env[this.env];
    return dir ? join(dir, `${createHash('sha256').update(key).digest('hex')}.json`) : undefined;
  }

  /** What an earlier test file of this run stored under `key`, if any. */
  get(key: string): T | undefined {
    const file = this.file(key);
    if (!file) return undefined;
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { key: string; value: T };
      return stored.key === key ? stored.value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores `value` under `key` for the rest of the run. */
  set(key: string, value: T): void {
    const file = this.file(key);
    if (!file) return;
    // Written whole, then renamed into place: another worker reads all of it or nothing.
    writeFileSync(`${file}.${process.pid}`, JSON.stringify({ key, value }));
    renameSync(`${file}.${process.pid}`, file);
  }
}
