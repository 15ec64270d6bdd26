#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx slipway ...` works in a clone without a build step.
require('tsx/cjs');
require('./slipway.ts').main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
