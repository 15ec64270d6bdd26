import { rmSync } from 'node:fs';
import { TEMPLATES_ENV } from './postgres';

/** jest globalTeardown: removes the run's PostgreSQL template folder (see jest-global-setup.ts). */
export default function globalTeardown(): void {
  const dir = process.env[TEMPLATES_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
