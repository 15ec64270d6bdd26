#!/usr/bin/env node
// Builds the static dashboard (web/) into dist/web/: one ES module bundle and one stylesheet under
// assets/ with content hashes in their names (cached for good), index.html naming them (revalidated),
// and dist/web/build.json with each asset's size raw and gzip-compressed (npm run bench reads it).
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
  entryPoints: [path.join(root, 'web', 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  absWorkingDir: root,
});
const hash = (b) => createHash('sha256').update(b).digest('hex').slice(0, 12);
const js = Buffer.from(result.outputFiles[0].contents);
const css = readFileSync(path.join(root, 'web', 'style.css'));
const jsName = `assets/main-${hash(js)}.js`;
const cssName = `assets/style-${hash(css)}.css`;
writeFileSync(path.join(out, jsName), js);
writeFileSync(path.join(out, cssName), css);
const page = readFileSync(path.join(root, 'web', 'index.html'), 'utf8').replace('%JS%', jsName).replace('%CSS%', cssName);
writeFileSync(path.join(out, 'index.html'), page);
const size = (b) => ({ bytes: b.length, gzipBytes: gzipSync(b, { level: 9 }).length });
const report = { assets: { [jsName]: size(js), [cssName]: size(css), 'index.html': size(Buffer.from(page)) } };
writeFileSync(path.join(out, 'build.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`build-web: dist/web/${jsName} ${(js.length / 1024).toFixed(0)} KB (${(report.assets[jsName].gzipBytes / 1024).toFixed(1)} KB gzip), ${cssName}`);
