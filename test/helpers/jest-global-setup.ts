import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYNTH_ENV } from './run-folders';
import { serverParentDir, TEMPLATES_ENV } from './postgres';
import { refreshCliBundle } from './cli-bundle';

/**
 * jest globalSetup: a folder for the run's PostgreSQL template cluster (test/helpers/postgres.ts), and one
 * for the templates test/helpers/example-stacks.ts synthesized. Only the folders: the first test file that
 * needs one fills it, so a run without such tests pays nothing.
 * The workers inherit the variables; jest-global-teardown.ts removes the folders.
 * Also rebuilds the CLI bundle when a source file is newer than it (test/helpers/cli-bundle.ts), so the
 * CLI tests' child processes start from it instead of compiling TypeScript each time.
 */
export default function globalSetup(): void {
  const dir = mkdtempSync(join(serverParentDir(), 'slipway-pg-templates-'));
  // The server's OS user (postgres, when the tests run as root) builds and reads the template in here.
  chmodSync(dir, 0o755);
  process.env[TEMPLATES_ENV] = dir;
  process.env[SYNTH_ENV] = mkdtempSync(join(tmpdir(), 'slipway-synthesized-'));
  refreshCliBundle();
}
