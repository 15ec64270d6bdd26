import 'aws-sdk-client-mock-jest';
import { BeginTransactionCommand, CommitTransactionCommand, ExecuteStatementCommand, RDSDataClient, RollbackTransactionCommand } from '@aws-sdk/client-rds-data';
import { mockClient } from 'aws-sdk-client-mock';
import { DataApiDriver, sqlStateFromMessage, toNamedParameters } from '../../../functions/database-manager/driver-data-api';
import { DatabaseManager } from '../../../functions/database-manager/manager';
import type { PasswordStore } from '../../../functions/database-manager/passwords';
import { LOCK_NAMESPACE, lockKey } from '../../../functions/database-manager/sql';

const rdsData = new RDSDataClient({ region: 'eu-west-1' });
const mock = mockClient(rdsData);
const resourceArn = 'arn:aws:rds:eu-west-1:123456789012:cluster:slipway-main';
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/main/admin-AbCdEf';
const passwords: PasswordStore = { save: async () => 'unused' };

function manager(): DatabaseManager {
  return new DatabaseManager({ driver: new DataApiDriver(rdsData, { resourceArn, secretArn }), passwords });
}

/** A fake cluster that answers the catalog queries: nothing exists yet. */
function emptyCluster(): void {
  mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-1' });
  mock.on(CommitTransactionCommand).resolves({ transactionStatus: 'Transaction Committed' });
  mock.on(ExecuteStatementCommand).callsFake((input: { sql: string }) => {
    if (input.sql.includes('current_user AS "user"')) return { formattedRecords: JSON.stringify([{ user: 'slipway_admin', superuser: false, database: 'postgres' }]) };
    if (input.sql.includes('AS "exists"')) return { formattedRecords: JSON.stringify([{ exists: true }]) };
    if (input.sql.startsWith('SELECT')) return { formattedRecords: '[]' };
    return { numberOfRecordsUpdated: 0 };
  });
}

beforeEach(() => mock.reset());

/** The start of a statement, whitespace collapsed (enough to tell the statements apart). */
const head = (sql: string | undefined): string => (sql ?? '').replace(/\s+/g, ' ').slice(0, 50);

describe('Data API driver', () => {
  test('createDatabase sends exactly these statements, with typed parameters, in transactions where allowed', async () => {
    emptyCluster();
    const result = await manager().handle({ action: 'createDatabase', database: 'shop' });
    expect(result).toMatchObject({ role: 'created', databaseOutcome: 'created' });

    const calls = mock.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    const common = { resourceArn, secretArn, database: 'postgres', formatRecordsAs: 'JSON', includeResultMetadata: true };
    for (const call of calls) expect(call).toMatchObject(common);
    expect(calls.map((c) => [head(c.sql), c.parameters, c.transactionId])).toEqual([
      [head('SELECT d.datname AS "name", pg_get_userbyid(d.datdba) AS "owne'), [{ name: 'p1', value: { stringValue: 'shop' } }], undefined],
      [head('SELECT current_user AS "user", r.rolsuper AS "superuser", cur'), undefined, 'tx-1'],
      [head('SELECT pg_advisory_xact_lock(:p1, :p2)'), [{ name: 'p1', value: { longValue: LOCK_NAMESPACE } }, { name: 'p2', value: { longValue: lockKey('role:shop') } }], 'tx-1'],
      [head('SELECT r.rolname AS "name", r.rolcanlogin AS "canLogin", (r.ro'), [{ name: 'p1', value: { stringValue: 'shop' } }, { name: 'p2', value: { stringValue: 'rds_iam' } }], 'tx-1'],
      [head('SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :p1) AS '), [{ name: 'p1', value: { stringValue: 'rds_iam' } }], 'tx-1'],
      [head('CREATE ROLE "shop" WITH LOGIN'), undefined, 'tx-1'],
      [head('GRANT "rds_iam" TO "shop"'), undefined, 'tx-1'],
      [head('GRANT "shop" TO CURRENT_USER'), undefined, 'tx-1'],
      [head('SELECT d.datname AS "name", pg_get_userbyid(d.datdba) AS "owne'), [{ name: 'p1', value: { stringValue: 'shop' } }], undefined],
      [head('CREATE DATABASE "shop" OWNER "shop"'), undefined, undefined],
      [head('SELECT d.datname AS "name", pg_get_userbyid(d.datdba) AS "owne'), [{ name: 'p1', value: { stringValue: 'shop' } }], undefined],
      [head('SELECT pg_advisory_xact_lock(:p1, :p2)'), [{ name: 'p1', value: { longValue: LOCK_NAMESPACE } }, { name: 'p2', value: { longValue: lockKey('database:shop') } }], 'tx-1'],
      [head('SELECT d.datname AS "name", pg_get_userbyid(d.datdba) AS "owne'), [{ name: 'p1', value: { stringValue: 'shop' } }], 'tx-1'],
    ]);
    expect(mock).toHaveReceivedCommandTimes(BeginTransactionCommand, 2);
    expect(mock).toHaveReceivedCommandWith(BeginTransactionCommand, { resourceArn, secretArn, database: 'postgres' });
    expect(mock).toHaveReceivedCommandTimes(CommitTransactionCommand, 2);
  });

  test('runSql binds null, boolean, integer, float and string parameters in the named database and commits', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-9' });
    mock.on(CommitTransactionCommand).resolves({});
    mock.on(ExecuteStatementCommand).resolves({ formattedRecords: JSON.stringify([{ a: 1 }]), columnMetadata: [{ label: 'a' }] });
    const result = await manager().handle({ action: 'runSql', database: 'shop', sql: 'SELECT $1, $2, $3, $4, $5', parameters: [null, true, 7, 1.5, "o'k"] });
    expect(result).toMatchObject({ rows: [{ a: 1 }], fields: ['a'], rowCount: 1 });
    expect(mock).toHaveReceivedCommandWith(ExecuteStatementCommand, {
      database: 'shop',
      transactionId: 'tx-9',
      sql: 'SELECT :p1, :p2, :p3, :p4, :p5',
      parameters: [
        { name: 'p1', value: { isNull: true } },
        { name: 'p2', value: { booleanValue: true } },
        { name: 'p3', value: { longValue: 7 } },
        { name: 'p4', value: { doubleValue: 1.5 } },
        { name: 'p5', value: { stringValue: "o'k" } },
      ],
    });
    expect(mock).toHaveReceivedCommandWith(BeginTransactionCommand, { database: 'shop' });
  });

  test('a failing statement rolls the transaction back and surfaces the SQLSTATE', async () => {
    mock.on(BeginTransactionCommand).resolves({ transactionId: 'tx-2' });
    mock.on(RollbackTransactionCommand).resolves({});
    mock.on(ExecuteStatementCommand).rejects(Object.assign(new Error('ERROR: division by zero; SQLState: 22012'), { name: 'DatabaseErrorException' }));
    await expect(manager().handle({ action: 'runSql', database: 'shop', sql: 'SELECT 1/0' })).rejects.toMatchObject({ name: 'SqlError', sqlState: '22012' });
    expect(mock).toHaveReceivedCommandWith(RollbackTransactionCommand, { transactionId: 'tx-2', resourceArn, secretArn });
    expect(mock).not.toHaveReceivedCommand(CommitTransactionCommand);
  });

  test('a concurrent creator winning CREATE DATABASE (42P04) is "already exists"', async () => {
    emptyCluster();
    let databaseRows = '[]';
    mock.on(ExecuteStatementCommand).callsFake((input: { sql: string }) => {
      if (input.sql.includes('current_user AS "user"')) return { formattedRecords: JSON.stringify([{ user: 'slipway_admin', superuser: false }]) };
      if (input.sql.includes('AS "exists"')) return { formattedRecords: JSON.stringify([{ exists: true }]) };
      if (input.sql.startsWith('CREATE DATABASE')) {
        databaseRows = JSON.stringify([{ name: 'shop', owner: 'shop', publicAccess: false }]);
        throw Object.assign(new Error('ERROR: database "shop" already exists; SQLState: 42P04'), { name: 'DatabaseErrorException' });
      }
      if (input.sql.includes('FROM pg_database d WHERE')) return { formattedRecords: databaseRows };
      if (input.sql.startsWith('SELECT')) return { formattedRecords: '[]' };
      return {};
    });
    const result = await manager().handle({ action: 'createDatabase', database: 'shop' });
    expect(result).toMatchObject({ databaseOutcome: 'already exists, nothing to do', publicAccess: 'already revoked, nothing to do' });
  });
});

describe('toNamedParameters', () => {
  test('rewrites $n outside quotes, comments and dollar-quoted bodies', () => {
    expect(toNamedParameters(`SELECT $1, "col$1", 'it''s $2', $$ $3 $$, $tag$ $4 $tag$ -- $5\n, /* $6 */ $7`)).toBe(
      `SELECT :p1, "col$1", 'it''s $2', $$ $3 $$, $tag$ $4 $tag$ -- $5\n, /* $6 */ :p7`,
    );
  });
});

describe('sqlStateFromMessage', () => {
  test('reads the code the Data API appends', () => {
    expect(sqlStateFromMessage('ERROR: role "x" already exists; SQLState: 42710')).toBe('42710');
    expect(sqlStateFromMessage('Communications link failure')).toBeUndefined();
  });
});
