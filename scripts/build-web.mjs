#!/usr/bin/env node
// Builds the static dashboard (web/) into dist/web/: ES modules under assets/ with content hashes in their
// names (cached for good): the entry index.html loads (web/src/boot.ts: config.json, the sign-in, no AWS
// SDK and no UI library, so a first visit goes to the identity provider before anything else loads), the
// pages (web/src/main.ts: what the apps page needs) and the sign-in's STS chunk, which boot preloads when
// it knows they will run, and the chunks loaded on demand (the logs and config pages, signing an action);
// the stylesheet; index.html naming the entry and its chunks to preload, the pages' and the sign-in's
// chunks (meta tags) with the inline script that preloads or prefetches them (web/src/hints.ts), and
// config.json to fetch early (revalidated); and dist/web/build.json
// with each asset's size raw and gzip-compressed, which load with the apps page and which before the
// redirect to the identity provider (npm run bench reads it).
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
  entryPoints: { boot: path.join(root, 'web', 'src', 'boot.ts'), main: path.join(root, 'web', 'src', 'main.ts') },
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
const holding = (source) => Object.keys(outputs).find((f) => Object.keys(outputs[f].inputs).some((i) => i.replace(/\\/g, '/') === source));
const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint?.replace(/\\/g, '/') === 'web/src/boot.ts');
const pagesEntry = Object.keys(outputs).find((f) => outputs[f].entryPoint?.replace(/\\/g, '/') === 'web/src/main.ts');
// The sign-in's STS sessions (web/src/oidc.ts) are a dynamic import, but every page load of a deployed
// dashboard that is signed in needs them as soon as config.json is read.
const signIn = holding('web/src/oidc.ts');
if (!entry || !pagesEntry || !signIn) throw new Error('build-web: no output holds web/src/boot.ts, web/src/main.ts or web/src/oidc.ts');
// A file and the chunks it imports statically (not the dynamic imports), less those already in `seen`.
const graph = (f, seen = new Set()) => {
  const found = new Set();
  const visit = (g) => {
    if (seen.has(rel(g)) || found.has(rel(g))) return;
    found.add(rel(g));
    for (const i of outputs[g].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(f);
  return found;
};
const bootFiles = graph(entry);
const pageFiles = graph(pagesEntry, bootFiles);
const signInFiles = graph(signIn, new Set([...bootFiles, ...pageFiles]));
// What the apps page loads: boot, the pages and the sign-in.
const first = new Set([...bootFiles, ...pageFiles, ...signInFiles]);
const css = readFileSync(path.join(root, 'web', 'style.css'));
const cssName = `assets/style-${hash(css)}.css`;
writeFileSync(path.join(out, cssName), css);
// web/src/hints.ts, inlined (a classic script run while index.html is parsed): preloads the pages' and
// the sign-in's chunks the meta tags list when they run on this page load, else prefetches them.
const hints = await build({
  entryPoints: [path.join(root, 'web', 'src', 'hints.ts')],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
});
const hintsScript = hints.outputFiles[0].text.trim();
if (hintsScript.includes('</')) throw new Error('build-web: the inlined hints script contains "</"');
// Before the stylesheet: a script after it would wait for it to load.
const hintTags = [`<meta name="slipway-pages" content="${[...pageFiles].join(' ')}">`, `<meta name="slipway-sign-in" content="${[...signInFiles].join(' ')}">`, `<script>${hintsScript}</script>`].join('\n');
const preload = [...bootFiles].filter((f) => f !== rel(entry)).map((f) => `<link rel="modulepreload" href="${f}">`).join('\n');
const page = readFileSync(path.join(root, 'web', 'index.html'), 'utf8')
  .replace('%HINTS%', hintTags)
  .replace('%JS%', rel(entry))
  .replace('%CSS%', cssName)
  .replace('%PRELOAD%', preload);
writeFileSync(path.join(out, 'index.html'), page);
const size = (b) => ({ bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length });
const assets = {};
for (const f of Object.keys(outputs)) assets[rel(f)] = { ...size(readFileSync(path.resolve(root, f))), firstPage: first.has(rel(f)), beforeSignIn: bootFiles.has(rel(f)) };
assets[cssName] = { ...size(css), firstPage: true };
assets['index.html'] = { ...size(Buffer.from(page)), firstPage: true };
const report = { entry: rel(entry), assets };
writeFileSync(path.join(out, 'build.json'), `${JSON.stringify(report, null, 2)}\n`);
const js = Object.entries(assets).filter(([f]) => f.endsWith('.js'));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sum = (list, k) => list.reduce((n, [, a]) => n + a[k], 0);
const firstJs = js.filter(([, a]) => a.firstPage);
console.log(`build-web: dist/web/ ${js.length} JavaScript files, ${kb(sum(js, 'bytes'))} (${kb(sum(js, 'gzipBytes'))} gzip); the first page loads ${kb(sum(firstJs, 'bytes'))} (${kb(sum(firstJs, 'gzipBytes'))} gzip)`);
