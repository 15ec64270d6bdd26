import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** The source file a relative import lands on (`x.ts` or `x/index.ts`), or undefined for a package or a non-TypeScript file. */
function resolveImport(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = join(file, '..', specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/**
 * The import cycles of a graph: its strongly connected components of more than one file, or a file that
 * imports itself (Tarjan's algorithm). Each cycle as its files, relative and sorted.
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(relative(ROOT, w));
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

test('the cycle finder finds a cycle, a self-import and none in a chain', () => {
  expect(importCycles(new Map([[join(ROOT, 'a'), [join(ROOT, 'b')]], [join(ROOT, 'b'), [join(ROOT, 'c')]], [join(ROOT, 'c'), [join(ROOT, 'a')]]]))).toEqual([['a', 'b', 'c']]);
  expect(importCycles(new Map([[join(ROOT, 'a'), [join(ROOT, 'a')]]]))).toEqual([['a']]);
  expect(importCycles(new Map([[join(ROOT, 'a'), [join(ROOT, 'b')]], [join(ROOT, 'b'), []]]))).toEqual([]);
});

/**
 * Issue 26: no import cycle anywhere in the source tree, counting every import: type-only ones (a type
 * cycle is still two files that cannot be understood apart) and the CLI's lazy `require`s.
 */
test('no import cycle in bin, bench, domain, functions, lib or scripts', () => {
  const files = ['bin', 'bench', 'domain', 'functions', 'lib', 'scripts'].flatMap((d) => filesUnder(join(ROOT, d)));
  const graph = new Map(files.map((f) => [f, [...new Set(importsOf(f).map((i) => resolveImport(f, i.specifier)).filter((t): t is string => t !== undefined))]]));
  expect(graph.size).toBeGreaterThan(300);
  expect(importCycles(graph)).toEqual([]);
});

