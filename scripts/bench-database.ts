/**
 * Benchmark of the database manager (run: `npx tsx scripts/bench-database.ts [runs]`).
 *
 * 1. createDatabase on a warm connection (the manager's pg driver, pool already open) against the very
 *    same statements sent by `psql` over one warm session to the same throwaway server; each run creates
 *    a new database. psql's time is measured inside its session (clock_timestamp before and after).
 * 2. The manager's bundle: esbuild, minified, `pg-native` and the AWS SDK external (as deployed).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { DATABASE_MANAGER_BUNDLING, DATABASE_MANAGER_ENTRY } from '../lib/constructs/database-manager';
import type { Driver, Session } from '../functions/database-manager/driver';
import { PgDriver } from '../functions/database-manager/driver-pg';
import { DatabaseManager } from '../functions/database-manager/manager';
import type { SqlValue, Statement } from '../functions/database-manager/sql';
import { startPostgres } from '../test/helpers/postgres';

const RUNS = Number(process.argv[2] ?? 15);

function stats(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
  return `median ${q(0.5).toFixed(2)} ms, p25-p75 ${q(0.25).toFixed(2)}-${q(0.75).toFixed(2)} ms, min-max ${s[0].toFixed(2)}-${s[s.length - 1].toFixed(2)} ms (n=${s.length})`;
}

const literal = (v: SqlValue): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
const inline = (st: Statement): string => st.text.replace(/\$(\d+)/g, (_, n: string) => literal(st.values[Number(n) - 1]));

/** Wraps a driver and records the SQL it sends, as psql would send it. */
function recording(driver: Driver, log: string[]): Driver {
  const wrap = (s: Session): Session => ({ query: (st) => (log.push(`${inline(st)};`), s.query(st)) });
  return {
    kind: driver.kind,
    withSession: (db, fn) => driver.withSession(db, (s) => fn(wrap(s))),
    transaction: (db, fn) => {
      log.push('BEGIN;');
      return driver.transaction(db, (s) => fn(wrap(s))).then((r) => (log.push('COMMIT;'), r));
    },
    close: () => driver.close(),
  };
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  const passwords = { save: async () => 'unused' };
  try {
    // Record the statements of one createDatabase.
    const log: string[] = [];
    const recorder = new PgDriver({ connection: pg.admin });
    await new DatabaseManager({ driver: recording(recorder, log), passwords }).handle({ action: 'createDatabase', database: 'bench_template' });
    await recorder.close();

    // One warm psql session, fed run by run (same statements, names substituted), interleaved with the
    // manager's runs so both see the same machine load.
    const psql = spawn('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', pg.admin.host, '-p', String(pg.admin.port), '-U', pg.admin.user, '-d', pg.admin.database], {
      env: { ...process.env, ...(pg.admin.password ? { PGPASSWORD: pg.admin.password } : {}) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: psql.stdout as NodeJS.ReadableStream });
    const waiting: ((line: string) => void)[] = [];
    lines.on('line', (line) => {
      if (line.startsWith('ms:')) waiting.shift()?.(line);
    });
    const psqlRun = (name: string): Promise<number> =>
      new Promise((resolve) => {
        waiting.push((line) => resolve(Number(line.slice(3))));
        const block = ['SELECT clock_timestamp() AS t0 \\gset', ...log.map((l) => l.replaceAll('bench_template', name)), "SELECT 'ms:' || extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) * 1000;"];
        psql.stdin?.write(`${block.join('\n')}\n`);
      });

    // The manager, warm: the first call of each opens the connection and is not counted.
    const driver = new PgDriver({ connection: pg.admin });
    const manager = new DatabaseManager({ driver, passwords });
    await manager.handle({ action: 'createDatabase', database: 'bench_warmup' });
    await psqlRun('bench_psql_warmup');
    const managerMs: number[] = [];
    const psqlMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await manager.handle({ action: 'createDatabase', database: `bench_mgr_${i}` });
      managerMs.push(performance.now() - t0);
      psqlMs.push(await psqlRun(`bench_psql_${i}`));
    }
    await driver.close();
    psql.stdin?.end();

    const mgrMedian = [...managerMs].sort((a, b) => a - b)[Math.floor((RUNS - 1) / 2)];
    const psqlMedian = [...psqlMs].sort((a, b) => a - b)[Math.floor((psqlMs.length - 1) / 2)];
    console.log(`createDatabase statements per call: ${log.length} (incl. BEGIN/COMMIT)`);
    console.log(`manager (warm pg connection): ${stats(managerMs)}`);
    console.log(`psql (warm session, same SQL): ${stats(psqlMs)}`);
    console.log(`ratio of medians manager/psql: ${(mgrMedian / psqlMedian).toFixed(2)}x (target <= 1.5x)`);
  } finally {
    await pg.stop();
  }

  const built = await esbuild.build({
    entryPoints: [DATABASE_MANAGER_ENTRY],
    bundle: true,
    platform: 'node',
    target: DATABASE_MANAGER_BUNDLING.target,
    minify: true,
    sourcemap: 'external',
    external: [...DATABASE_MANAGER_BUNDLING.externalModules],
    write: false,
    outdir: 'out',
    logLevel: 'error',
  });
  for (const file of built.outputFiles) {
    const kind = file.path.endsWith('.map') ? 'source map' : 'bundle';
    console.log(`manager ${kind}: ${(file.contents.byteLength / 1024).toFixed(1)} KB (minified; external: ${DATABASE_MANAGER_BUNDLING.externalModules.join(', ')})`);
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).message}`);
  process.exit(1);
});
