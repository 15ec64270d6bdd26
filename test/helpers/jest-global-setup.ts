import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ENV } from './postgres';

/**
 * jest globalSetup: a folder for the run's PostgreSQL template cluster (test/helpers/postgres.ts). Only the
 * folder: the first test file that starts a server fills it, so a run without database tests pays nothing.
 * The workers inherit the variable; jest-global-teardown.ts removes the folder.
 */
export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pg-templates-'));
  // The server's OS user (postgres, when the tests run as root) builds and reads the template in here.
  chmodSync(dir, 0o755);
  process.env[TEMPLATES_ENV] = dir;
}
