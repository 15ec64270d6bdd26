import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildResult } from 'esbuild';
import { DATABASE_MANAGER_BUNDLING } from '../lib/constructs/database-manager';
import { BUNDLING_DEFAULTS, FUNCTIONS_DIR } from '../lib/constructs/slipway-function';

/** One fresh `node` process that loaded a bundle. */
export interface ColdStartSample {
  /** Wall time of the whole process (spawn to exit), measured by the parent. */
  readonly processMs: number;
  /** Time to `require` the bundle (module-scope SDK clients built), measured inside the child. */
  readonly loadMs: number;
}

/** Every handler folder under functions/ (those with an index.ts). */
export function handlerNames(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FUNCTIONS_DIR, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort();
}

/**
 * Bundles a handler as the stack does (lib/constructs/slipway-function.ts BUNDLING_DEFAULTS; the
 * database manager with DATABASE_MANAGER_BUNDLING): esbuild, minified, CommonJS, `@aws-sdk/*` external,
 * in memory; with `metafile`, esbuild's account of each input's bytes.
 */
export async function bundle(name: string, metafile = false): Promise<BuildResult<{ write: false; metafile: boolean }>> {
  const options = name === 'database-manager' ? DATABASE_MANAGER_BUNDLING : BUNDLING_DEFAULTS;
  return build({
    entryPoints: [join(FUNCTIONS_DIR, name, 'index.ts')],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: options.target,
    minify: options.minify,
    external: [...options.externalModules],
    metafile,
    logLevel: 'error',
  });
}

/** A handler's bundle, as {@link bundle} makes it: its bytes. */
export async function bundleHandler(name: string): Promise<Uint8Array> {
  return (await bundle(name)).outputFiles[0].contents;
}

/** The child: time the `require` of one bundle, check it exports a handler, print the milliseconds. */
const LOADER = `const t0 = process.hrtime.bigint();
const m = require(process.argv[2]);
const t1 = process.hrtime.bigint();
if (typeof m.handler !== 'function') { console.error('no handler exported by ' + process.argv[2]); process.exit(3); }
process.stdout.write(String(Number(t1 - t0) / 1e6));
`;

/** The floor: a handler that does nothing and imports nothing. */
const EMPTY_HANDLER = 'exports.handler = async () => ({});\n';

/** A reference, not a goal: a handler that builds one AWS SDK client (ECS) and does nothing else. */
const ONE_CLIENT_HANDLER = "const { ECSClient } = require('@aws-sdk/client-ecs');\nconst ecs = new ECSClient({});\nexports.handler = async () => ({ region: typeof ecs.config.region });\n";

/** Names of the two reference handlers in a {@link BundleDir}. */
export const FLOOR = '(empty handler)';
export const ONE_CLIENT = '(one SDK client)';

/** A folder with the loader, the empty handler and the bundles; removed by `dispose`. */
export interface BundleDir {
  readonly dir: string;
  readonly sizes: Record<string, number>;
  path(name: string): string;
  dispose(): void;
}

/** Bundles every handler into a fresh temporary folder (nothing reused from an earlier run). */
export async function prepareBundles(names: readonly string[]): Promise<BundleDir> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  writeFileSync(join(dir, 'loader.js'), LOADER);
  writeFileSync(join(dir, 'empty-handler.js'), EMPTY_HANDLER);
  writeFileSync(join(dir, 'one-client-handler.js'), ONE_CLIENT_HANDLER);
  const sizes: Record<string, number> = {};
  for (const name of names) {
    const bytes = await bundleHandler(name);
    sizes[name] = bytes.byteLength;
    writeFileSync(join(dir, `${name}.js`), bytes);
  }
  return { dir, sizes, path: (name) => join(dir, name === FLOOR ? 'empty-handler.js' : name === ONE_CLIENT ? 'one-client-handler.js' : `${name}.js`), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a fresh `node` process that loads one bundle. The SDK is resolved from the repository's
 * node_modules through NODE_PATH (in Lambda the runtime provides it); the environment is what a
 * deployed function has (region, table, cluster, app) so module-scope code runs as it would there.
 */
export function coldStart(bundles: BundleDir, name: string, rootDir: string): ColdStartSample {
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: join(rootDir, 'node_modules'),
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    TABLE_NAME: 'slipway-example',
    CLUSTER_ARN: 'arn:aws:ecs:us-east-1:123456789012:cluster/production',
    APP_NAME: 'example',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    NODE_OPTIONS: '',
  };
  const t0 = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [join(bundles.dir, 'loader.js'), bundles.path(name)], { env, encoding: 'utf8' });
  const processMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (child.status !== 0) throw new Error(`cold start of ${name} failed (exit ${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return { processMs, loadMs: Number(child.stdout) };
}
