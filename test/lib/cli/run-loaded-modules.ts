/**
 * Runs `slipway` (bin/slipway.ts's `main`) once for each command line given as a JSON array of
 * argument lists, then prints, after a line `--- loaded modules ---`, the project's modules that were
 * loaded (one path a line, relative to the repository). The commands' own exits are recorded, not
 * taken, so that every command line runs. A child process through tsx, not bin/slipway.js: the question
 * is which source files are loaded, which a fresh Node's require.cache answers (the bundle is one file,
 * and jest keeps its own module registry). `npx tsx test/lib/cli/run-loaded-modules.ts '[["--help"]]'`.
 */
import * as path from 'node:path';
import { main } from '../../../bin/slipway';

const ROOT = path.join(__dirname, '..', '..', '..');
const exit = process.exit.bind(process);
process.exit = (() => undefined) as unknown as typeof process.exit;

async function run(): Promise<void> {
  for (const argv of JSON.parse(process.argv[2] ?? '[]') as string[][]) await main(argv).catch(() => undefined);
  const loaded = Object.keys(require.cache)
    .filter((file) => file.startsWith(ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`))
    .map((file) => path.relative(ROOT, file));
  process.stdout.write(`--- loaded modules ---\n${loaded.sort().join('\n')}\n`);
  exit(0);
}

void run();
