/**
 * `npm run coverage:states`: runs the state-machine test suite and prints, per ASL file, how many of
 * its states the local runs entered (`state coverage: N/M states`). The suite itself fails when a
 * state is never entered; this script shows the figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const out = join(tmpdir(), `slipway-state-coverage-${process.pid}.json`);
const result = spawnSync('npx', ['jest', 'test/statemachines', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SLIPWAY_STATE_COVERAGE_FILE: out } });
let summary: { name: string; entered: number; total: number; missing: string[] }[];
try {
  // The pipelines suite writes `out`; other suites (config-change, schedules) write `out` + `.<suite>`.
  const files = [out, ...readdirSync(tmpdir()).map((f) => join(tmpdir(), f)).filter((f) => f.startsWith(`${out}.`))];
  summary = files.flatMap((f) => JSON.parse(readFileSync(f, 'utf8')) as typeof summary);
  for (const f of files) rmSync(f, { force: true });
} catch {
  process.stderr.write('state coverage: the state-machine tests did not write their coverage (see the jest output above)\n');
  process.exit(1);
}
for (const s of summary) {
  process.stdout.write(`${s.name}.asl.json  state coverage: ${s.entered}/${s.total} states${s.missing.length ? `  (never entered: ${s.missing.join(', ')})` : ''}\n`);
}
process.exit(result.status ?? 1);
