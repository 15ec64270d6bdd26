import { rmSync } from 'node:fs';
import { SYNTH_ENV } from './run-folders';
import { TEMPLATES_ENV } from './postgres';

/** jest globalTeardown: removes the run's folders (see jest-global-setup.ts). */
export default function globalTeardown(): void {
  for (const name of [TEMPLATES_ENV, SYNTH_ENV]) {
    const dir = process.env[name];
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
