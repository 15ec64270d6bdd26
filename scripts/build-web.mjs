#!/usr/bin/env node
// Builds the static dashboard (web/) into dist/web/: ES modules under assets/ with content hashes in their
// names (cached for good): the entry (what the apps page needs) with the sign-in chunk (preloaded), and the
// chunks loaded on demand (the logs and config pages, signing an action); the stylesheet; index.html naming the entry, its
// chunks to preload and config.json to fetch early (revalidated); and dist/web/build.json with each
// asset's size raw and gzip-compressed and which load with the first page (npm run bench reads it).
// No server: the account stack copies dist/web/ to its bucket; `slipway local serve` serves it at /dashboard/.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { main: path.join(root, 'web', 'src', 'main.ts') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  outdir: out,
  entryNames: 'assets/[name]-[hash]',
  chunkNames: 'assets/chunk-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  absWorkingDir: root,
});
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 12);
const rel = (f) => path.relative(out, path.resolve(root, f)).split(path.sep).join('/');
const outputs = result.metafile.outputs;
const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint);
// What the first page loads: the entry and the chunks it imports statically (not the dynamic imports).
const first = new Set();
const visit = (f) => {
  if (first.has(rel(f))) return;
  first.add(rel(f));
  for (const i of outputs[f].imports) if (i.kind === 'import-statement') visit(i.path);
};
visit(entry);
// The sign-in (web/src/oidc.ts: the OpenID Connect flow and STS) is a dynamic import, but every page load
// of a deployed dashboard needs it as soon as config.json is read: preloaded with the entry, so it is not
// fetched only after the entry ran (one round trip less before the first useful paint).
const signIn = Object.keys(outputs).find((f) => Object.keys(outputs[f].inputs).some((i) => i.replace(/\\/g, '/') === 'web/src/oidc.ts'));
if (!signIn) throw new Error('build-web: no output holds web/src/oidc.ts (the sign-in chunk to preload)');
visit(signIn);
const css = readFileSync(path.join(root, 'web', 'style.css'));
const cssName = `assets/style-${hash(css)}.css`;
writeFileSync(path.join(out, cssName), css);
const preload = [...first].filter((f) => f !== rel(entry)).map((f) => `<link rel="modulepreload" href="${f}">`).join('\n');
const page = readFileSync(path.join(root, 'web', 'index.html'), 'utf8')
  .replace('%JS%', rel(entry))
  .replace('%CSS%', cssName)
  .replace('%PRELOAD%', preload);
writeFileSync(path.join(out, 'index.html'), page);
const size = (b) => ({ bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length });
const assets = {};
for (const f of Object.keys(outputs)) assets[rel(f)] = { ...size(readFileSync(path.resolve(root, f))), firstPage: first.has(rel(f)) };
assets[cssName] = { ...size(css), firstPage: true };
assets['index.html'] = { ...size(Buffer.from(page)), firstPage: true };
const report = { entry: rel(entry), assets };
writeFileSync(path.join(out, 'build.json'), `${JSON.stringify(report, null, 2)}\n`);
const js = Object.entries(assets).filter(([f]) => f.endsWith('.js'));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sum = (list, k) => list.reduce((n, [, a]) => n + a[k], 0);
const firstJs = js.filter(([, a]) => a.firstPage);
console.log(`build-web: dist/web/ ${js.length} JavaScript files, ${kb(sum(js, 'bytes'))} (${kb(sum(js, 'gzipBytes'))} gzip); the first page loads ${kb(sum(firstJs, 'bytes'))} (${kb(sum(firstJs, 'gzipBytes'))} gzip)`);
