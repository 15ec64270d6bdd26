import madge from 'madge';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * Who may import whom (issue 14): handlers import domain/ and functions/shared/ only, never another
 * handler and never lib/; domain/ imports nothing but itself and AWS SDK types (it is bundled into every
 * handler); lib/ops imports no handler; lib imports no pure fact from functions/.
 */

const ROOT = join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static imports, side-effect imports, `export ... from`, `require`). */
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const out: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^(import|export)(\s+type)?[^'"]*?from\s+'([^']+)'/gms)) out.push({ specifier: m[3], typeOnly: m[2] !== undefined });
  for (const m of text.matchAll(/^import\s+'([^']+)'/gm)) out.push({ specifier: m[1], typeOnly: false });
  for (const m of text.matchAll(/require\('([^']+)'\)/g)) out.push({ specifier: m[1], typeOnly: false });
  return out;
}

/** The repository folder an import lands in, e.g. `functions/update-service` or `domain`. */
function target(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const rel = relative(ROOT, join(file, '..', specifier)).split('/');
  return rel[0] === 'functions' ? rel.slice(0, 2).join('/') : rel[0];
}

const handlers = readdirSync(join(ROOT, 'functions')).filter((d) => d !== 'shared' && statSync(join(ROOT, 'functions', d)).isDirectory());

test('there are handlers to check', () => {
  expect(handlers).toEqual(expect.arrayContaining(['update-service', 'execution-status', 'register-config-revisions']));
});

/**
 * The one handler that runs the operator commands themselves: the dashboard's actions function does what
 * `slipway redrive`, `rollback` and `deploy --build` do (issue 25: reuse lib/ops, never a copy), so it may
 * import lib/ops (with the errors lib/ops throws), and nothing else of lib/.
 */
const MAY_RUN_OPS: Readonly<Record<string, readonly string[]>> = { 'dashboard-actions': ['lib/ops/'] };

test.each(handlers)('functions/%s imports only itself, functions/shared and domain', (handler) => {
  const allowed = new Set([`functions/${handler}`, 'functions/shared', 'domain']);
  const ops = MAY_RUN_OPS[handler] ?? [];
  const bad = filesUnder(join(ROOT, 'functions', handler)).flatMap((f) =>
    importsOf(f)
      .map((i) => ({ file: relative(ROOT, f), to: target(f, i.specifier), path: i.specifier.startsWith('.') ? relative(ROOT, join(f, '..', i.specifier)) : '' }))
      .filter((i) => i.to !== undefined && !allowed.has(i.to) && !ops.some((p) => i.path.startsWith(p)))
      .map(({ file, to }) => ({ file, to })),
  );
  expect(bad).toEqual([]);
});

test('functions/shared imports no handler and nothing of lib/', () => {
  const bad = filesUnder(join(ROOT, 'functions', 'shared')).flatMap((f) =>
    importsOf(f)
      .map((i) => ({ file: relative(ROOT, f), to: target(f, i.specifier) }))
      .filter((i) => i.to !== undefined && i.to !== 'functions/shared' && i.to !== 'domain'),
  );
  expect(bad).toEqual([]);
});

/**
 * The pure libraries domain/ may use (issue 26: the settings schema and the schedule rules live there):
 * validation and cron parsing, no I/O, no CDK, no AWS client.
 */
const DOMAIN_LIBRARIES = new Set(['zod/mini', 'zod/locales', 'cron-validate', 'node:crypto']);

test('domain/ imports only itself, AWS SDK types and pure libraries: no CDK, no client, nothing of lib/ or functions/', () => {
  const bad = filesUnder(join(ROOT, 'domain')).flatMap((f) =>
    importsOf(f)
      .filter((i) => (i.specifier.startsWith('.') ? target(f, i.specifier) !== 'domain' : !(i.typeOnly && i.specifier.startsWith('@aws-sdk/')) && !DOMAIN_LIBRARIES.has(i.specifier)))
      .map((i) => ({ file: relative(ROOT, f), specifier: i.specifier })),
  );
  expect(bad).toEqual([]);
});

/**
 * `slipway db` runs the database manager itself from the operator's machine (its driver and manager are
 * the product there, not a pipeline handler's private helpers), so functions/database-manager may be used.
 */
const OPS_MAY_RUN = new Set(['functions/shared', 'functions/database-manager']);

test("lib/ops imports no pipeline handler's modules (only functions/shared, the database manager and domain)", () => {
  const bad = filesUnder(join(ROOT, 'lib', 'ops')).flatMap((f) =>
    importsOf(f)
      .map((i) => ({ file: relative(ROOT, f), to: target(f, i.specifier) }))
      .filter((i) => i.to?.startsWith('functions/') && !OPS_MAY_RUN.has(i.to)),
  );
  expect(bad).toEqual([]);
});

/**
 * Issue 26: pure facts two layers share live in domain/. lib/ may import a handler's entry point (a
 * construct bundles it, the local runner runs it), the SDK clients and the parameter cache the local
 * runner points at its simulated account, and the database manager `slipway db` runs, but no schema, rule
 * or name from functions/.
 */
const LIB_MAY_IMPORT = [
  /^functions\/[a-z-]+\/index$/,
  /^functions\/shared\/(clients|parameter-cache)$/,
  // slipway local serve runs the dashboard actions with the endpoint's own clients (index.ts binds the Lambda's).
  /^functions\/dashboard-actions\/actions$/,
];
/** `slipway db` (lib/ops/database.ts) runs the manager, its driver, clients and errors; its identifier rule and result types are domain/database.ts. */
const OPS_MAY_RUN_MANAGER = /^functions\/database-manager\/(clients|environment|driver-pg|libpq-env|errors|manager)$/;

test('lib/ imports from functions/ only entry points, the shared clients and the database manager', () => {
  const bad = filesUnder(join(ROOT, 'lib')).flatMap((f) =>
    importsOf(f)
      .filter((i) => i.specifier.startsWith('.'))
      .map((i) => ({ file: relative(ROOT, f), to: relative(ROOT, join(f, '..', i.specifier)) }))
      .filter((i) => i.to.startsWith('functions/') && !LIB_MAY_IMPORT.some((allowed) => allowed.test(i.to)) && !(i.file.startsWith('lib/ops/') && OPS_MAY_RUN_MANAGER.test(i.to))),
  );
  expect(bad).toEqual([]);
});

/**
 * Issue 26, dependencies one way: cli -> ops -> domain. The operations never import the CLI that
 * prints them (what both need, the usage error, exit codes, the AWS client factory, lives in lib/ops).
 */
test('lib/ops imports nothing of lib/cli', () => {
  const bad = filesUnder(join(ROOT, 'lib', 'ops')).flatMap((f) =>
    importsOf(f)
      .filter((i) => i.specifier.startsWith('.') && relative(ROOT, join(f, '..', i.specifier)).startsWith('lib/cli/'))
      .map((i) => ({ file: relative(ROOT, f), specifier: i.specifier })),
  );
  expect(bad).toEqual([]);
});

/**
 * The simulated services ask their account only what lib/local/services/simulated-account.ts declares
 * (`SimulatedAccount`): lib/local/world.ts builds them and may import them, never the other way round.
 */
test('the simulated services never import the World', () => {
  const bad = filesUnder(join(ROOT, 'lib', 'local', 'services')).flatMap((f) =>
    importsOf(f)
      .filter((i) => i.specifier.startsWith('.') && relative(ROOT, join(f, '..', i.specifier)) === 'lib/local/world')
      .map((i) => ({ file: relative(ROOT, f), specifier: i.specifier })),
  );
  expect(bad).toEqual([]);
});

/**
 * Import cycles, found by madge (its circular(): every cycle of the dependency graph it builds with
 * detective-typescript and detective-es6). Counted: type-only imports (a type cycle is still two files that cannot be
 * understood apart), `require` (the CLI's lazy loads) and dynamic `import()` (the dashboard's lazy chunks).
 */
async function importCycles(dirs: readonly string[], baseDir: string = ROOT): Promise<{ files: number; cycles: string[][] }> {
  const detective = { skipTypeImports: false, mixedImports: true };
  const result = await madge(
    dirs.map((d) => join(baseDir, d)),
    { baseDir, fileExtensions: ['ts', 'tsx', 'js', 'mjs'], excludeRegExp: [/\.d\.ts$/], detectiveOptions: { ts: detective, tsx: detective } },
  );
  return { files: Object.keys(result.obj()).length, cycles: result.circular() };
}

test('the cycle check finds a cycle through a type-only import, a lazy require and a dynamic import, and none in a chain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cycles-'));
  try {
    const write = (file: string, text: string) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write('types/a.ts', "import type { B } from './b';\nexport type A = { b?: B };\n");
    write('types/b.ts', "import type { A } from './a';\nexport type B = { a?: A };\n");
    write('lazy/c.ts', "export function c() { return require('./d'); }\n");
    write('lazy/d.ts', "import { c } from './c';\nexport const d = c;\n");
    write('dynamic/e.ts', "export async function e() { return import('./f'); }\n");
    write('dynamic/f.ts', "import { e } from './e';\nexport const f = e;\n");
    write('chain/g.ts', "import { h } from './h';\nexport const g = h;\n");
    write('chain/h.ts', 'export const h = 1;\n');

    const found = await importCycles(['types', 'lazy', 'dynamic', 'chain'], dir);

    expect(found.files).toBe(8);
    expect(found.cycles.map((c) => [...c].sort())).toEqual(expect.arrayContaining([['types/a.ts', 'types/b.ts'], ['lazy/c.ts', 'lazy/d.ts'], ['dynamic/e.ts', 'dynamic/f.ts']]));
    expect(found.cycles).toHaveLength(3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Issue 26: no import cycle anywhere in the source tree (the dashboard's web/src included). */
test('no import cycle in bin, bench, domain, functions, lib, scripts or web/src', async () => {
  const found = await importCycles(['bin', 'bench', 'domain', 'functions', 'lib', 'scripts', 'web/src']);

  expect(found.files).toBeGreaterThan(300);
  expect(found.cycles).toEqual([]);
});
