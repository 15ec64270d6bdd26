#!/usr/bin/env node
// `npm test`: the type check, the conformance check and jest, started together rather than one after the
// other. Why: `tsc --noEmit` and the conformance script each use one core for 15-25 s and 4 s, while jest
// keeps both cores busy only part of the time (its workers wait on child processes, servers and timers,
// and the run ends on one long suite); side by side, the checks fill those gaps instead of adding their
// whole time in front of jest's.
//
// jest's output streams as it comes; each check's output is printed once it has finished, so the two
// never interleave. The exit code is jest's, or the first failed check's (all three always run to the
// end, so one run shows every failure). Arguments go to jest: `npm test -- test/lib/deployment-config.test.ts`.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs a check with its output held back; resolves to its exit code and output. */
function check(label, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.on('error', (e) => resolve({ label, code: 1, output: `${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ label, code: code ?? (signal ? 1 : 0), output: Buffer.concat(output).toString('utf8') }));
  });
}

const checks = [
  check('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', root]),
  check('conformance', bin('tsx'), [join(root, 'scripts', 'conformance.ts'), join(root, 'test', 'fixtures', 'aws-histories')]),
];
const jest = new Promise((resolve) => {
  const child = spawn(bin('jest'), process.argv.slice(2), { cwd: root, stdio: 'inherit' });
  child.on('error', () => resolve(1));
  child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

let exitCode = await jest;
for (const { label, code, output } of await Promise.all(checks)) {
  if (code !== 0) {
    process.stderr.write(`\n${label} failed (exit ${code}):\n${output}`);
    if (exitCode === 0) exitCode = code;
  } else {
    process.stdout.write(output);
  }
}
process.exitCode = exitCode;
