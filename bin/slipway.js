#!/usr/bin/env node
'use strict';
// Starts the `slipway` CLI. `npm ci` (npm's `prepare`) compiles it once into dist/slipway.js
// (scripts/build-cli.js); that bundle is loaded with V8's code cache (dist/slipway.js.cache, written on
// the first run), so a start neither compiles TypeScript nor re-parses the bundle. Without a bundle, or
// when a source file in it is newer (a clone being edited), or with SLIPWAY_FROM_SOURCE=1, the
// TypeScript runs through tsx instead.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'slipway.js');

/** Whether dist/slipway.js exists and no project source file it was built from is newer. */
function bundleIsFresh() {
  if (process.env.SLIPWAY_FROM_SOURCE === '1') return false;
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'slipway.inputs.json'), 'utf8'));
    return inputs.every((file) => fs.statSync(path.join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/**
 * Loads a CommonJS file the way require does, with a V8 code cache beside it. V8 checks a code cache
 * against its source's length only (a rebuilt bundle of the same length would run the old bundle's
 * compiled functions), so the cache starts with the size and modification time of the bundle it was made
 * from, and is used only for that bundle.
 */
function requireWithCodeCache(file) {
  const vm = require('node:vm');
  const Module = require('node:module');
  const cacheFile = `${file}.cache`;
  const built = fs.statSync(file);
  const key = Buffer.from(`slipway-code-cache ${built.size} ${built.mtimeMs}\n`);
  let cachedData;
  try {
    const saved = fs.readFileSync(cacheFile);
    if (saved.subarray(0, key.length).equals(key)) cachedData = saved.subarray(key.length);
  } catch {
    cachedData = undefined;
  }
  const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  // A require of the bundle's own place, as Module.wrap's would be (with require.resolve).
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written as the process ends, so that it holds the functions this run compiled, not only the
    // top level. Best effort: an install the user cannot write to just starts without the cache.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
        fs.renameSync(tmp, cacheFile);
      } catch {
        // ignore
      }
    });
  }
  return mod.exports;
}

let cli;
if (bundleIsFresh()) {
  cli = requireWithCodeCache(bundle);
} else {
  require('tsx/cjs');
  cli = {
    ...require('./slipway.ts'),
    onInterrupt: require('../lib/cli/runtime.ts').onInterrupt,
    processIo: require('../lib/cli/io.ts').processIo,
  };
}
const argv = process.argv.slice(2);
process.once('SIGINT', () => cli.onInterrupt(cli.processIo, argv.includes('--json')));
// No silent false success: when nothing is left to wait for but the command has not finished (a
// promise that can never settle, e.g. a connection that neither opens nor fails), say so and exit 1.
let finished = false;
process.once('beforeExit', () => {
  if (finished) return;
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: 'Unfinished', message: 'the command stopped with an operation that can never finish; nothing more will happen' })}\n`);
  process.stderr.write('error: Unfinished: the command stopped with an operation that can never finish, so it did not complete; nothing more will happen (please report it with the command you ran)\n');
  process.exitCode = 1;
});
cli.main(argv).then((code) => {
  finished = true;
  process.exitCode = code;
});
