import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Driver, Session } from '../functions/database-manager/driver';
import { PgDriver } from '../functions/database-manager/driver-pg';
import { DatabaseManager } from '../functions/database-manager/manager';
import type { SqlValue, Statement } from '../functions/database-manager/sql';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres';

/** The three actions of one provisioning, in order, for a database named `name`. */
export function provisioning(name: string): Record<string, unknown>[] {
  return [
    { action: 'createDatabase', database: name },
    { action: 'enableIamAuth' },
    { action: 'runSql', database: name, sql: 'CREATE TABLE IF NOT EXISTS bench_items (id bigint PRIMARY KEY, name text NOT NULL)' },
  ];
}

/** What the database section measured. */
export interface DatabaseResults {
  /** Statements psql replays per provisioning (including BEGIN/COMMIT and database switches). */
  readonly statementsPerRun: number;
  readonly managerMs: number[];
  readonly psqlMs: number[];
  readonly concurrent: {
    readonly calls: number;
    readonly wallMs: number;
    readonly succeeded: number;
    readonly errors: string[];
    /** Databases in pg_database afterwards, each owned by the role of the same name (which can log in). */
    readonly catalogOk: number;
    /** The same createDatabase statements sent by one psql session, one after another (reference). */
    readonly psqlSequentialMs: number;
  };
}

const literal = (v: SqlValue): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
const inline = (st: Statement): string => st.text.replace(/\$(\d+)/g, (_, n: string) => literal(st.values[Number(n) - 1]));

/** Wraps a driver and writes down what it sends, as psql lines (`\c db` when the database changes). */
function recording(driver: Driver, log: string[], home: string): Driver {
  let current = home;
  const use = (db: string | undefined) => {
    const target = db ?? home;
    if (target !== current) log.push(`\\c ${target}`);
    current = target;
  };
  const wrap = (s: Session): Session => ({ query: (st) => (log.push(`${inline(st)};`), s.query(st)) });
  return {
    kind: driver.kind,
    withSession: (db, fn) => (use(db), driver.withSession(db, (s) => fn(wrap(s)))),
    transaction: (db, fn) => {
      use(db);
      log.push('BEGIN;');
      return driver.transaction(db, (s) => fn(wrap(s))).then((r) => (log.push('COMMIT;'), r));
    },
    close: () => driver.close(),
  };
}

/** One psql process kept open; each block's time is measured inside the server session (clock_timestamp). */
class PsqlSession {
  private readonly child;
  private readonly waiting: { resolve: (ms: number) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';

  constructor(pg: TestPostgres) {
    this.child = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', pg.admin.host, '-p', String(pg.admin.port), '-U', pg.admin.user, '-d', pg.admin.database], {
      env: { ...process.env, ...(pg.admin.password ? { PGPASSWORD: pg.admin.password } : {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.startsWith('ms:')) this.waiting.shift()?.resolve(Number(line.slice(3)));
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`psql exited (${code}): ${this.stderr.trim()}`));
    });
  }

  /** Runs the lines and resolves with the milliseconds the server saw them take. */
  run(lines: readonly string[], home: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      const block = ['SELECT clock_timestamp() AS t0 \\gset', ...lines, `\\c ${home}`, "SELECT 'ms:' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000;"];
      this.child.stdin.write(`${block.join('\n')}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

/**
 * createDatabase + enableIamAuth + runSql through the database manager (pg driver, warm admin
 * connection, as in a warm Lambda) against the same statements sent by psql (one warm session), on a
 * throwaway PostgreSQL; each run provisions a new database, the two interleaved so both see the same
 * machine load. Then `concurrent` managers (as many Lambda instances) each create a database at once.
 */
export async function measureDatabase(runs: number, concurrent: number): Promise<DatabaseResults> {
  const pg = await startPostgres();
  const passwords = { save: async () => 'arn:aws:secretsmanager:us-east-1:123456789012:secret:unused' };
  const home = pg.admin.database;
  try {
    const log: string[] = [];
    const recorder = new PgDriver({ connection: pg.admin });
    const recordingDriver = recording(recorder, log, home);
    const recordingManager = new DatabaseManager({ driver: recordingDriver, passwords });
    // Record a steady-state provisioning, as the measured runs are: the first one also grants rds_iam
    // to the admin user, which later enableIamAuth calls find done.
    for (const event of provisioning('bench_prime')) await recordingManager.handle(event);
    await recordingDriver.withSession(undefined, async () => undefined); // back in the maintenance database
    log.length = 0;
    const segments: string[][] = [];
    for (const event of provisioning('bench_template')) {
      const before = log.length;
      await recordingManager.handle(event);
      segments.push(log.slice(before));
    }
    await recorder.close();
    const replay = (name: string, lines: readonly string[]) => lines.map((l) => l.replaceAll('bench_template', name));
    // createDatabase alone, ending back in the maintenance database so that blocks can follow each other.
    const createLines = segments[0].some((l) => l.startsWith('\\c')) ? [...segments[0], `\\c ${home}`] : segments[0];

    const psql = new PsqlSession(pg);
    const driver = new PgDriver({ connection: pg.admin });
    const manager = new DatabaseManager({ driver, passwords });
    // Warm-up, not counted: the manager opens its pool, psql its session.
    for (const event of provisioning('bench_warm_mgr')) await manager.handle(event);
    await psql.run(replay('bench_warm_psql', log), home);

    const managerMs: number[] = [];
    const psqlMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      for (const event of provisioning(`bench_mgr_${i}`)) await manager.handle(event);
      managerMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      psqlMs.push(await psql.run(replay(`bench_psql_${i}`, log), home));
    }
    await driver.close();

    // Concurrent creates: one manager (own driver, own connection) per call, like concurrent Lambda instances.
    const managers = Array.from({ length: concurrent }, () => {
      const d = new PgDriver({ connection: pg.admin });
      return { driver: d, manager: new DatabaseManager({ driver: d, passwords }) };
    });
    const c0 = process.hrtime.bigint();
    const outcomes = await Promise.allSettled(managers.map((m, i) => m.manager.handle({ action: 'createDatabase', database: `bench_c_${i}` })));
    const wallMs = Number(process.hrtime.bigint() - c0) / 1e6;
    await Promise.all(managers.map((m) => m.driver.close()));
    const errors = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => `${(o.reason as Error).name}: ${(o.reason as Error).message}`);
    const catalog = await pg.query<{ ok: string }>(
      `SELECT count(*) AS ok FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba
        WHERE d.datname LIKE 'bench\\_c\\_%' AND r.rolname = d.datname AND r.rolcanlogin`,
    );
    const psqlSequentialMs = await psql.run(
      Array.from({ length: concurrent }, (_, i) => replay(`bench_cp_${i}`, createLines)).flat(),
      home,
    );
    psql.close();
    return {
      statementsPerRun: log.length,
      managerMs,
      psqlMs,
      concurrent: { calls: concurrent, wallMs, succeeded: outcomes.length - errors.length, errors: [...new Set(errors)].slice(0, 3), catalogOk: Number(catalog[0]?.ok ?? 0), psqlSequentialMs },
    };
  } finally {
    await pg.stop();
  }
}
