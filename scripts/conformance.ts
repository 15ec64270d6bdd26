/**
 * `npm run conformance -- <folder>`: replays every recorded AWS execution history in the folder through
 * the local runner's engine and compares the histories event by event (lib/local/conformance.ts).
 * One line per fixture, then `conformance: N/M fixtures match`; exit 1 if any differ, 2 on bad usage.
 */
import '../lib/local/polyfills';
import { resolve } from 'node:path';
import { checkFolder, InvalidFixture } from '../lib/local/conformance';

async function main(): Promise<number> {
  const folder = process.argv[2];
  if (!folder || process.argv.length > 3) {
    process.stderr.write('usage: npm run conformance -- <folder of recorded histories>\n');
    return 2;
  }
  let results;
  try {
    results = await checkFolder(resolve(folder));
  } catch (e) {
    if (e instanceof InvalidFixture) {
      process.stderr.write(`conformance: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  for (const r of results) process.stdout.write(r.difference ? `DIFF  ${r.file}: ${r.difference}\n` : `ok    ${r.file} (${r.events} events)\n`);
  const matching = results.filter((r) => !r.difference).length;
  process.stdout.write(`conformance: ${matching}/${results.length} fixtures match\n`);
  return matching === results.length && results.length > 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
