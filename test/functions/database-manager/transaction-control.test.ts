import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PgDriver } from '../../../functions/database-manager/driver-pg';
import { DatabaseManager } from '../../../functions/database-manager/manager';
import { secretsManagerPasswordStore } from '../../../functions/database-manager/passwords';
import { refusedStatements } from '../../../functions/database-manager/transaction-control';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

// A db sql run is one transaction: all or nothing. These tests run against the real PostgreSQL.

let pg: TestPostgres;
let driver: PgDriver;
let manager: DatabaseManager;

beforeAll(async () => {
  pg = await startPostgres();
  driver = new PgDriver({ connection: pg.admin });
  manager = new DatabaseManager({ driver, passwords: secretsManagerPasswordStore(new SecretsManagerClient({ region: 'eu-west-1' }), { prefix: 'slipway/db/test/' }) });
  // Owned by the admin user, as an app database's objects are when the manager's runSql makes them.
  await pg.query(`CREATE DATABASE txn_app OWNER ${pg.adminUser}`);
  await manager.handle({ action: 'runSql', database: 'txn_app', sql: 'CREATE TABLE t (id int); CREATE INDEX t_id ON t (id)' });
});

afterAll(async () => {
  await driver?.close();
  await pg?.stop();
});

beforeEach(async () => {
  await pg.query('TRUNCATE t', [], 'txn_app');
});

const rows = async (): Promise<number[]> => (await pg.query<{ id: number }>('SELECT id FROM t ORDER BY id', [], 'txn_app')).map((r) => r.id);

describe('runSql refuses text that would end or start a transaction, before anything runs', () => {
  test('the reported case: insert; commit; insert; 1/0 leaves no row and names the COMMIT', async () => {
    await expect(
      manager.handle({ action: 'runSql', database: 'txn_app', sql: 'insert into t values (1); commit; insert into t values (2); select 1/0' }),
    ).rejects.toMatchObject({ name: 'TransactionControlRefused', message: expect.stringContaining('statement 2: COMMIT (or END) (transaction control)') });
    expect(await rows()).toEqual([]);
  });

  test.each([
    ['BEGIN', 'BEGIN'],
    ['begin transaction isolation level serializable', 'BEGIN'],
    ['START TRANSACTION', 'START TRANSACTION'],
    ['end', 'COMMIT (or END)'],
    ['COMMIT AND CHAIN', 'COMMIT (or END)'],
    ['rollback', 'ROLLBACK (or ABORT)'],
    ['abort', 'ROLLBACK (or ABORT)'],
    ["PREPARE TRANSACTION 'x'", 'PREPARE TRANSACTION'],
    ["COMMIT PREPARED 'x'", 'COMMIT PREPARED'],
    ["ROLLBACK PREPARED 'x'", 'ROLLBACK PREPARED'],
  ])('%s after an insert: refused, nothing applied', async (statement, named) => {
    const run = manager.handle({ action: 'runSql', database: 'txn_app', sql: `insert into t values (1); /* c */ ${statement}; insert into t values (2)` });
    await expect(run).rejects.toMatchObject({ name: 'TransactionControlRefused', message: expect.stringContaining(`statement 2: ${named}`) });
    expect(await rows()).toEqual([]);
  });

  // Each of these the real server refuses inside a transaction block (SQLSTATE 25001): checked below
  // on the server itself, so the list is PostgreSQL's, not a guess.
  const outsideOnly: [string, string][] = [
    ['CREATE DATABASE txn_other', 'CREATE DATABASE'],
    ['DROP DATABASE IF EXISTS txn_other', 'DROP DATABASE'],
    ['ALTER DATABASE txn_app SET TABLESPACE pg_default', 'ALTER DATABASE ... SET TABLESPACE'],
    ["CREATE TABLESPACE ts LOCATION '/nonexistent'", 'CREATE TABLESPACE'],
    ['DROP TABLESPACE IF EXISTS ts', 'DROP TABLESPACE'],
    ['ALTER SYSTEM SET work_mem = 64', 'ALTER SYSTEM'],
    ['VACUUM', 'VACUUM'],
    ['VACUUM ANALYZE t', 'VACUUM'],
    ['CLUSTER', 'CLUSTER (every table)'],
    ['REINDEX DATABASE txn_app', 'REINDEX DATABASE/SYSTEM'],
    ['REINDEX TABLE CONCURRENTLY t', 'REINDEX ... CONCURRENTLY'],
    ['CREATE INDEX CONCURRENTLY t_id2 ON t (id)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY t_id', 'DROP INDEX CONCURRENTLY'],
    ['DISCARD ALL', 'DISCARD ALL'],
  ];

  test.each(outsideOnly)('%s: refused by name before anything runs', async (statement, named) => {
    const run = manager.handle({ action: 'runSql', database: 'txn_app', sql: `insert into t values (1); ${statement}` });
    await expect(run).rejects.toMatchObject({ name: 'TransactionControlRefused', message: expect.stringContaining(`statement 2: ${named} (not in a transaction block)`) });
    expect(await rows()).toEqual([]);
  });

  test.each(outsideOnly)('the real server refuses %s inside a transaction block too (SQLSTATE 25001)', async (statement) => {
    const client = await pg.connect('txn_app');
    try {
      await client.query('BEGIN');
      await expect(client.query(statement)).rejects.toMatchObject({ code: '25001' });
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
  });
});

describe('runSql lets through what stays inside its transaction', () => {
  test.each([
    ["select 'commit' as word", 1],
    ['select 1 as "commit"', 1],
    ['-- commit\nselect 1 /* rollback; begin */', 1],
    ['ANALYZE t', 0],
    ['REINDEX TABLE t', 0],
    ['CLUSTER t USING t_id', 0],
  ])('%s runs', async (sql, rowCount) => {
    await expect(manager.handle({ action: 'runSql', database: 'txn_app', sql })).resolves.toMatchObject({ action: 'runSql', rowCount });
  });

  test('savepoints act inside the run: ROLLBACK TO undoes its part, the rest commits together', async () => {
    await manager.handle({ action: 'runSql', database: 'txn_app', sql: 'insert into t values (1); savepoint a; insert into t values (2); rollback to savepoint a; release a; insert into t values (3)' });
    expect(await rows()).toEqual([1, 3]);
  });

  test('a DO block that COMMITs is refused by the server inside the run: rolled back whole', async () => {
    await expect(
      manager.handle({ action: 'runSql', database: 'txn_app', sql: 'insert into t values (1); do $$ begin insert into t values (2); commit; end $$' }),
    ).rejects.toMatchObject({ name: 'SqlError', sqlState: '2D000', message: expect.stringContaining('nothing was applied') });
    expect(await rows()).toEqual([]);
  });

  test('a procedure that COMMITs is refused by the server inside the run: rolled back whole', async () => {
    await manager.handle({ action: 'runSql', database: 'txn_app', sql: 'CREATE PROCEDURE commit_twice() LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t VALUES (2); COMMIT; INSERT INTO t VALUES (3); END $$' });
    await expect(manager.handle({ action: 'runSql', database: 'txn_app', sql: 'insert into t values (1); call commit_twice()' })).rejects.toMatchObject({ name: 'SqlError', sqlState: '2D000' });
    expect(await rows()).toEqual([]);
  });
});

describe('text the parser rejects', () => {
  test('is InvalidSql with the position, and nothing runs', async () => {
    await expect(manager.handle({ action: 'runSql', database: 'txn_app', sql: 'insert into t values (1); selec 2' })).rejects.toMatchObject({
      name: 'InvalidSql',
      message: expect.stringMatching(/at character 27: syntax error at or near "selec"; nothing was run/),
    });
    expect(await rows()).toEqual([]);
  });

  test('the parser names statements in order, one entry per refused statement', async () => {
    expect(await refusedStatements('begin; select 1; vacuum; commit')).toEqual([
      { index: 1, statement: 'BEGIN', reason: 'transaction control' },
      { index: 3, statement: 'VACUUM', reason: 'not in a transaction block' },
      { index: 4, statement: 'COMMIT (or END)', reason: 'transaction control' },
    ]);
  });
});
