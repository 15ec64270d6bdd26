#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx slipway ...` works in a clone without a build step.
require('tsx/cjs');
const argv = process.argv.slice(2);
const { main } = require('./slipway.ts');
const { onInterrupt } = require('../lib/cli/runtime.ts');
const { processIo } = require('../lib/cli/io.ts');
process.once('SIGINT', () => onInterrupt(processIo, argv.includes('--json')));
main(argv).then((code) => {
  process.exitCode = code;
});
