import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkAwsEnvironment, REGION_CODE } from '../../lib/cli/aws-settings';
import { describeError, errorOutput } from '../../lib/cli/errors';
import { readInputJson } from '../../lib/cli/input-files';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { LocalRun } from '../../lib/local/runner';
import { LocalRunError } from '../../lib/local/run-error';
import { refusedStatements } from '../../functions/database-manager/transaction-control';
import { libpqEnvProblem } from '../../functions/database-manager/libpq-env';

/**
 * Generated families of hostile input (issue 27, point 7): each input is either accepted or refused with
 * a named error, one line, no raw control character and no stack trace, and nothing is applied (these
 * checks run before anything is sent or built). Bounded: fast-check's numRuns, no timed assertions.
 */

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = JSON.parse(readFileSync(join(ROOT, 'config', 'example.json'), 'utf8')) as { apps: Record<string, any>[]; clusters: Record<string, any>[]; databases: Record<string, any>[] };
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/;
const NEWLINE_OR_STACK = /\n|\r|\s{4}at /;

/** Strings a stranger sends: control and escape sequences, unicode, prototype keys, long runs, JSON-ish. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasownproperty', '\u001b[31mred', '\u001b]0;title\u0007', '\r\n', 'a\u0000b', '../../etc', 'ünïcode.example', ' ', ''),
  fc.string({ maxLength: 10 }).map((s) => s.repeat(60)),
);

function expectOneNamedLine(message: string): void {
  expect(message).not.toMatch(CONTROL);
  expect(message).not.toMatch(NEWLINE_OR_STACK);
}

describe('hostile configs: accepted, or DeploymentConfigError naming a key on one escaped line', () => {
  const mutation = fc.oneof(
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0].hostname = v)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0].processes.web.healthCheckPath = `/${v}`)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0].repository.owner = v)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0].releaseProcess = v)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0].processes[v] = { cpu: 256, memory: 512 })),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.clusters[0].name = v)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.databases[0].instanceType = v)),
    hostileString.map((v) => (c: typeof EXAMPLE) => (c.apps[0][v] = 1)),
    fc.double().map((v) => (c: typeof EXAMPLE) => (c.apps[0].logRetentionDays = v)),
    fc.double().map((v) => (c: typeof EXAMPLE) => (c.apps[0].processes.web.cpu = v)),
    fc.double().map((v) => (c: typeof EXAMPLE) => (c.databases[0].monitoring = { freeLocalStorageGiB: v })),
    fc.tuple(fc.integer(), fc.integer()).map(([a, b]) => (c: typeof EXAMPLE) => (c.clusters[0].ec2Capacity = { instanceType: 't4g.medium', minCapacity: a, maxCapacity: b })),
  );

  test('every mutation of the example config', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (changes) => {
        const config = structuredClone(EXAMPLE);
        for (const change of changes) change(config);
        try {
          parseDeploymentConfig(JSON.parse(JSON.stringify(config)));
        } catch (e) {
          expect(e).toBeInstanceOf(DeploymentConfigError);
          expect((e as Error).message).toMatch(/^invalid config: /);
          expectOneNamedLine((e as Error).message);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile db sql text: refused by name before anything runs, or parsed', () => {
  const fragment = fc.oneof(
    fc.constantFrom('select 1', 'commit', 'begin', 'end', 'abort', 'rollback', "prepare transaction 'x'", 'vacuum', 'create database x', 'create index concurrently i on t(a)', "select 'commit'", '-- commit', '/* begin */ select 2', 'savepoint a', 'release a', '$$', "'", ';'),
    fc.string({ maxLength: 20 }),
  );
  test('every text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 6 }), async (parts) => {
        const text = parts.join('; ');
        try {
          const refused = await refusedStatements(text);
          for (const r of refused) expect(['transaction control', 'not in a transaction block']).toContain(r.reason);
        } catch (e) {
          expect((e as Error).name).toBe('InvalidSql');
          expect((e as Error).message).toMatch(/nothing was run/);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('hostile world files: a run is built, or LocalRunError names the key', () => {
  const world = fc.record(
    {
      release: fc.record({ exitCode: fc.integer({ min: -5, max: 300 }), failToStart: fc.option(hostileString, { nil: undefined }), placementFailure: fc.option(hostileString, { nil: undefined }), durationSeconds: fc.oneof(fc.integer({ min: -1, max: 1e9 }), fc.double()) }, { requiredKeys: [] }),
      scalableTargets: fc.dictionary(fc.constantFrom('web', 'worker', '__proto__', 'nope'), fc.record({ min: fc.integer({ min: -1, max: 10 }), max: fc.integer({ min: -1, max: 10 }) })),
      apps: fc.array(fc.constantFrom('example', 'docs', 'other'), { maxLength: 3 }),
      sweepEverySeconds: fc.oneof(fc.integer(), fc.double()),
      parameters: fc.dictionary(fc.constantFrom('/slipway/apps/example/config/A', 'bad name'), fc.record({ value: fc.string({ maxLength: 5000 }) })),
    },
    { requiredKeys: [] },
  );
  test('every world', () => {
    fc.assert(
      fc.property(world, (w) => {
        try {
          new LocalRun({ app: 'example', ...(w as object) }, ROOT);
        } catch (e) {
          expect(e).toBeInstanceOf(LocalRunError);
          expect((e as Error).message).toMatch(/world/);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('hostile CLI settings: a usage error (exit 2) naming the variable, escaped', () => {
  test('AWS_REGION and AWS_ENDPOINT_URL', () => {
    fc.assert(
      fc.property(hostileString, fc.constantFrom('AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SFN'), (value, name) => {
        try {
          checkAwsEnvironment({ [name]: value });
          if (name.includes('REGION') && value !== '') expect(value).toMatch(REGION_CODE);
        } catch (e) {
          const report = describeError(e);
          expect(report.code).toBe(2);
          expect(report.message).toContain(name);
          expectOneNamedLine(errorOutput(report, false).stderr);
        }
      }),
      { numRuns: 150 },
    );
  });

  test('libpq settings', () => {
    fc.assert(
      fc.property(hostileString, fc.constantFrom('PGPORT', 'PGSSLMODE', 'PGCONNECT_TIMEOUT', 'PGHOST', 'PGUSER'), (value, name) => {
        const problem = libpqEnvProblem({ [name]: value });
        if (problem !== undefined) {
          expect(problem.startsWith(name)).toBe(true);
          expect(problem).not.toMatch(CONTROL);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile input files: read, or a UsageError naming the file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-hostile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('nesting, sizes and bytes', () => {
    const text = fc.oneof(
      fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.integer({ min: 1, max: 200 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 5 }),
    );
    let i = 0;
    fc.assert(
      fc.property(text, (t) => {
        const p = join(dir, `input-${i++}.json`);
        writeFileSync(p, t);
        try {
          readInputJson(p, 'event');
        } catch (e) {
          expect((e as Error).name).toBe('UsageError');
          expect((e as Error).message).toContain(p);
        }
      }),
      { numRuns: 100 },
    );
  });
});
