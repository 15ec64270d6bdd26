#!/usr/bin/env node
// Compiles the `slipway` CLI once (npm's `prepare`, which `npm ci` runs; or `npm run build:cli`) into
// dist/slipway.js, so that a start loads one JavaScript file instead of compiling TypeScript each time.
// dist/slipway.inputs.json lists the project's source files in the bundle: bin/slipway.js falls back to
// compiling on the fly when one of them is newer (a clone being edited never runs a stale bundle).
'use strict';
let buildSync;
try {
  ({ buildSync } = require('esbuild'));
} catch {
  // An install without devDependencies (npm ci --omit=dev) has no esbuild: bin/slipway.js then runs the
  // TypeScript through tsx, slower to start but the same CLI.
  console.warn('build-cli: esbuild is not installed; slipway will compile its TypeScript at each start');
  process.exit(0);
}
const { writeFileSync, mkdirSync, rmSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outdir = path.join(root, 'dist');
mkdirSync(outdir, { recursive: true });
// The local engine as patched (patches/aws-local-stepfunctions+3.0.0.patch, applied by npm's
// postinstall): the patch changes the package's CommonJS build, which tests and tsx load. An `import`
// would make esbuild take the package's ESM build, unpatched, so the CLI would run another engine.
const engine = require.resolve('aws-local-stepfunctions', { paths: [root] });
const result = buildSync({
  entryPoints: [path.join(root, 'bin', 'slipway.ts')],
  outfile: path.join(outdir, 'slipway.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Optional native bindings some dependencies try to load; absent here, and never needed by the CLI.
  // libpg-query reads its WASM parser from its own folder: left in node_modules, loaded from there.
  external: ['pg-native', 'cloudflare:sockets', 'libpg-query'],
  absWorkingDir: root,
  alias: { 'aws-local-stepfunctions': engine },
});
const engines = Object.keys(result.metafile.inputs).filter((f) => f.includes('aws-local-stepfunctions/build/'));
if (engines.length !== 1 || !engines[0].endsWith('main.node.cjs')) {
  console.error(`build-cli: the bundle must hold the patched CommonJS build of aws-local-stepfunctions, it holds: ${engines.join(', ') || 'none'}`);
  process.exit(1);
}
// The code cache of the bundle this build replaced (bin/slipway.js would not use it anyway: it is keyed
// to its bundle's size and time).
rmSync(path.join(outdir, 'slipway.js.cache'), { force: true });
// The engine's patch too: a bundle older than the patch holds an engine patched otherwise.
const inputs = [...Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/')), 'patches/aws-local-stepfunctions+3.0.0.patch'];
writeFileSync(path.join(outdir, 'slipway.inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
