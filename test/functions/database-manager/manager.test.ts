import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Client } from 'pg';
import { PgDriver } from '../../../functions/database-manager/driver-pg';
import type { CreateDatabaseResult, DropDatabaseResult } from '../../../domain/database';
import { DatabaseManager } from '../../../functions/database-manager/manager';
import { secretsManagerPasswordStore } from '../../../functions/database-manager/passwords';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
const secretsMock = mockClient(secrets);
const SECRET_PREFIX = 'slipway/db/test/';

let pg: TestPostgres;
const drivers: PgDriver[] = [];

function newManager(maxConnections = 2): DatabaseManager {
  const driver = new PgDriver({ connection: pg.admin, maxConnections });
  drivers.push(driver);
  return new DatabaseManager({ driver, passwords: secretsManagerPasswordStore(secrets, { prefix: SECRET_PREFIX }) });
}

let manager: DatabaseManager;
/** The template1 case, started with the file on a server of its own (see {@link onTemplate1Session}). */
let template1Case: Promise<Template1Case> | undefined;

beforeAll(async () => {
  pg = await startPostgres();
  manager = newManager();
  // Only beside a server of the harness's own: an external one is shared, so there the case runs in its turn.
  if (pg.ownsServer) {
    template1Case = startPostgres().then((own) => onTemplate1Session(own).finally(() => own.stop()));
    template1Case.catch(() => undefined); // its test reports a failure; this keeps it from being "unhandled" until then
  }
});

afterAll(async () => {
  await template1Case?.catch(() => undefined);
  await Promise.all(drivers.map((d) => d.close()));
  await pg?.stop();
});

beforeEach(() => {
  secretsMock.reset();
  secretsMock.on(CreateSecretCommand).callsFake((input: { Name: string }) => ({ ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${input.Name}-AbCdEf`, Name: input.Name }));
});

/** What the catalog says about an app's database and role. */
async function catalog(database: string, owner: string) {
  const [row] = await pg.query<{
    dbOwner: string | null;
    roleExists: boolean;
    canLogin: boolean | null;
    iamMemberships: number;
    ownerCanConnect: boolean | null;
    publicCanConnect: boolean | null;
    publicCanTemp: boolean | null;
  }>(
    `SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS "dbOwner",
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2) AS "roleExists",
            (SELECT rolcanlogin FROM pg_roles WHERE rolname = $2) AS "canLogin",
            (SELECT count(*)::int FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
              WHERE g.rolname = 'rds_iam' AND u.rolname = $2) AS "iamMemberships",
            CASE WHEN EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)
              THEN has_database_privilege($2, $1, 'CONNECT') END AS "ownerCanConnect",
            CASE WHEN EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) THEN has_database_privilege('public', $1, 'CONNECT') END AS "publicCanConnect",
            CASE WHEN EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) THEN has_database_privilege('public', $1, 'TEMPORARY') END AS "publicCanTemp"`,
    [database, owner],
  );
  return row;
}

async function allDatabasesAndRoles(server = pg): Promise<{ databases: string[]; roles: string[]; memberships: string[] }> {
  const [row] = await server.query<{ databases: string[]; roles: string[]; memberships: string[] }>(
    `SELECT ARRAY(SELECT datname || ':' || pg_get_userbyid(datdba) || ':' || coalesce(datacl::text, '') FROM pg_database ORDER BY 1) AS databases,
            ARRAY(SELECT rolname || ':' || rolcanlogin FROM pg_roles ORDER BY 1) AS roles,
            ARRAY(SELECT roleid::regrole::text || '>' || member::regrole::text FROM pg_auth_members ORDER BY 1) AS memberships`,
  );
  return row;
}

interface Template1Case {
  refused: unknown;
  before: Awaited<ReturnType<typeof allDatabasesAndRoles>>;
  after: Awaited<ReturnType<typeof allDatabasesAndRoles>>;
  retried: unknown;
}

/**
 * createDatabase while a session is open on template1 (the catalog before and after it, what it threw),
 * then again once the session is closed. PostgreSQL lets CREATE DATABASE wait 5 s (50 x 100 ms, fixed) for
 * the template's other sessions to leave before it fails, so the file runs this on a server of its own,
 * beside its other tests, rather than holding the worker for 5 s; its test awaits it.
 */
async function onTemplate1Session(server: TestPostgres): Promise<Template1Case> {
  const driver = new PgDriver({ connection: server.admin });
  const own = new DatabaseManager({ driver, passwords: secretsManagerPasswordStore(secrets, { prefix: SECRET_PREFIX }) });
  try {
    const session = await server.connect('template1');
    let refused: unknown;
    let before;
    let after;
    try {
      before = await allDatabasesAndRoles(server);
      refused = await own.handle({ action: 'createDatabase', database: 'blocked_app' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      after = await allDatabasesAndRoles(server);
    } finally {
      await session.end();
    }
    return { refused, before, after, retried: await own.handle({ action: 'createDatabase', database: 'blocked_app' }) };
  } finally {
    await driver.close();
  }
}

describe('createDatabase', () => {
  test('creates the role (with rds_iam) and the database owned by it, closed to PUBLIC; the second call changes nothing', async () => {
    const first = (await manager.handle({ action: 'createDatabase', database: 'shop' })) as CreateDatabaseResult;
    expect(first).toMatchObject({ changed: true, role: 'created', iamAuth: 'granted', databaseOutcome: 'created', publicAccess: 'revoked', owner: 'shop' });
    const after = await catalog('shop', 'shop');
    expect(after).toEqual({ dbOwner: 'shop', roleExists: true, canLogin: true, iamMemberships: 1, ownerCanConnect: true, publicCanConnect: false, publicCanTemp: false });

    const second = (await manager.handle({ action: 'createDatabase', database: 'shop' })) as CreateDatabaseResult;
    expect(second).toMatchObject({ changed: false, role: 'already exists, nothing to do', iamAuth: 'already granted, nothing to do', databaseOutcome: 'already exists, nothing to do', publicAccess: 'already revoked, nothing to do' });
    expect(second.message).toBe('database "shop" and role "shop" already exist, nothing to do');
    expect(await catalog('shop', 'shop')).toEqual(after);
    expect(secretsMock).not.toHaveReceivedCommand(CreateSecretCommand);
  });

  test('another login role cannot connect to an app database', async () => {
    await manager.handle({ action: 'createDatabase', database: 'billing' });
    await pg.query('CREATE ROLE intruder LOGIN');
    const [row] = await pg.query<{ ok: boolean }>("SELECT has_database_privilege('intruder', 'billing', 'CONNECT') AS ok");
    expect(row.ok).toBe(false);
  });

  test('with a separate owner name, the database belongs to that role', async () => {
    await manager.handle({ action: 'createDatabase', database: 'orders_db', owner: 'orders_app' });
    expect(await catalog('orders_db', 'orders_app')).toMatchObject({ dbOwner: 'orders_app', iamMemberships: 1, ownerCanConnect: true, publicCanConnect: false });
    expect((await pg.query("SELECT 1 FROM pg_roles WHERE rolname = 'orders_db'")).length).toBe(0);
  });

  test('without IAM auth, the role gets a SCRAM password that is stored in Secrets Manager and works for a login', async () => {
    const result = (await manager.handle({ action: 'createDatabase', database: 'legacy', iamAuth: false })) as CreateDatabaseResult;
    expect(result).toMatchObject({ changed: true, role: 'created', iamAuth: 'not requested' });
    expect(result.passwordSecretArn).toMatch(/^arn:aws:secretsmanager:.*:secret:slipway\/db\/test\/legacy-/);
    expect(secretsMock).toHaveReceivedCommandTimes(CreateSecretCommand, 1);
    const input = secretsMock.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(input.Name).toBe(`${SECRET_PREFIX}legacy`);
    const stored = JSON.parse(input.SecretString as string) as { username: string; password: string; dbname: string; engine: string };
    expect(stored).toMatchObject({ username: 'legacy', dbname: 'legacy', engine: 'postgres' });
    expect(stored.password).toMatch(/^[A-Za-z0-9]{32}$/);

    const [role] = await pg.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'legacy'");
    expect(role.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect((await catalog('legacy', 'legacy')).iamMemberships).toBe(0);
    if (pg.ownsServer) {
      // The harness's TCP listener requires SCRAM: the stored password must log in, a wrong one must not.
      const login = new Client({ ...pg.tcp, user: 'legacy', password: stored.password, database: 'legacy' });
      await login.connect();
      const [who] = (await login.query('SELECT current_user AS u')).rows as { u: string }[];
      await login.end();
      expect(who.u).toBe('legacy');
      const wrong = new Client({ ...pg.tcp, user: 'legacy', password: `${stored.password}x`, database: 'legacy' });
      await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
      await wrong.end().catch(() => undefined);
    }

    const again = (await manager.handle({ action: 'createDatabase', database: 'legacy', iamAuth: false })) as CreateDatabaseResult;
    expect(again.changed).toBe(false);
    expect(again.passwordSecretArn).toBeUndefined();
    expect(secretsMock).toHaveReceivedCommandTimes(CreateSecretCommand, 1);
  });

  test('a secret left by an earlier role of that name is overwritten (PutSecretValue)', async () => {
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceExistsException' }));
    secretsMock.on(PutSecretValueCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/test/reborn-x' });
    const result = (await manager.handle({ action: 'createDatabase', database: 'reborn', iamAuth: false })) as CreateDatabaseResult;
    expect(result.passwordSecretArn).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/test/reborn-x');
    expect(secretsMock).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: `${SECRET_PREFIX}reborn` });
  });

  test('when Secrets Manager fails, the new role is rolled back and no database is created', async () => {
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' }));
    await expect(manager.handle({ action: 'createDatabase', database: 'nosecret', iamAuth: false })).rejects.toThrow('AccessDenied');
    expect(await catalog('nosecret', 'nosecret')).toMatchObject({ dbOwner: null, roleExists: false });
  });

  test('an existing database owned by another role is refused with OwnerMismatch and left alone', async () => {
    await manager.handle({ action: 'createDatabase', database: 'taken', owner: 'first_owner' });
    const before = await allDatabasesAndRoles();
    await expect(manager.handle({ action: 'createDatabase', database: 'taken', owner: 'first_owner_x', iamAuth: true })).rejects.toMatchObject({
      name: 'OwnerMismatch',
      message: expect.stringContaining('owned by "first_owner"'),
    });
    expect(await allDatabasesAndRoles()).toEqual(before);
  });
});

describe('dropDatabase', () => {
  test('drops the database, then says there is nothing to do', async () => {
    await manager.handle({ action: 'createDatabase', database: 'temp_app' });
    const first = (await manager.handle({ action: 'dropDatabase', database: 'temp_app' })) as DropDatabaseResult;
    expect(first).toMatchObject({ changed: true, databaseOutcome: 'dropped', role: 'not requested' });
    expect(await catalog('temp_app', 'temp_app')).toMatchObject({ dbOwner: null, roleExists: true });

    const second = (await manager.handle({ action: 'dropDatabase', database: 'temp_app' })) as DropDatabaseResult;
    expect(second).toMatchObject({ changed: false, databaseOutcome: 'does not exist, nothing to do' });
  });

  test('with dropOwner, the role goes too; twice is harmless', async () => {
    await manager.handle({ action: 'createDatabase', database: 'gone_app' });
    const first = (await manager.handle({ action: 'dropDatabase', database: 'gone_app', dropOwner: true })) as DropDatabaseResult;
    expect(first).toMatchObject({ changed: true, databaseOutcome: 'dropped', role: 'dropped', owner: 'gone_app' });
    expect(await catalog('gone_app', 'gone_app')).toMatchObject({ dbOwner: null, roleExists: false, iamMemberships: 0 });
    const second = (await manager.handle({ action: 'dropDatabase', database: 'gone_app', dropOwner: true })) as DropDatabaseResult;
    expect(second).toMatchObject({ changed: false, databaseOutcome: 'does not exist, nothing to do', role: 'does not exist, nothing to do' });
  });

  test('terminates open connections to the database first', async () => {
    await manager.handle({ action: 'createDatabase', database: 'busy_app' });
    // The app's own sessions, as its owner role (the admin, like RDS's, cannot terminate a superuser's).
    const sessions = [await pg.connect('busy_app', 'busy_app'), await pg.connect('busy_app', 'busy_app')];
    const errors: Error[] = [];
    sessions.forEach((c) => c.on('error', (e) => errors.push(e)));
    const inTransaction = sessions[0].query('BEGIN; CREATE TABLE t (id int)');
    await inTransaction;

    const result = (await manager.handle({ action: 'dropDatabase', database: 'busy_app' })) as DropDatabaseResult;
    expect(result).toMatchObject({ databaseOutcome: 'dropped', terminatedConnections: 2 });
    expect((await catalog('busy_app', 'busy_app')).dbOwner).toBeNull();
    await expect(sessions[1].query('SELECT 1')).rejects.toThrow();
    await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  });

  test('a prepared transaction on the database is DatabaseInUse: nothing is dropped, and the drop works once it is resolved', async () => {
    await manager.handle({ action: 'createDatabase', database: 'prepared_app' });
    const client = await pg.connect('prepared_app', 'prepared_app');
    await client.query("BEGIN; CREATE TABLE pending (id int); PREPARE TRANSACTION 'slipway_test_pending'");
    await client.end();
    const before = await allDatabasesAndRoles();

    await expect(manager.handle({ action: 'dropDatabase', database: 'prepared_app', dropOwner: true })).rejects.toMatchObject({
      name: 'DatabaseInUse',
      message: expect.stringMatching(/^database "prepared_app" is still in use and was not dropped: .*prepared transactions.*ROLLBACK PREPARED/),
    });
    expect(await allDatabasesAndRoles()).toEqual(before);

    await pg.query("ROLLBACK PREPARED 'slipway_test_pending'", [], 'prepared_app');
    expect(await manager.handle({ action: 'dropDatabase', database: 'prepared_app', dropOwner: true })).toMatchObject({ databaseOutcome: 'dropped', role: 'dropped' });
  });

  test('a superuser\'s session (rdsadmin\'s on RDS), which the admin may not terminate, is DatabaseInUse; no session is terminated', async () => {
    await manager.handle({ action: 'createDatabase', database: 'guarded_app' });
    const superuserSession = await pg.connect('guarded_app');
    const appSession = await pg.connect('guarded_app', 'guarded_app');
    appSession.on('error', () => undefined); // terminated by the final drop
    const before = await allDatabasesAndRoles();

    await expect(manager.handle({ action: 'dropDatabase', database: 'guarded_app' })).rejects.toMatchObject({
      name: 'DatabaseInUse',
      message: expect.stringContaining('must be a superuser to terminate superuser process'),
    });
    expect(await allDatabasesAndRoles()).toEqual(before);
    await expect(appSession.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });

    await superuserSession.end();
    expect(await manager.handle({ action: 'dropDatabase', database: 'guarded_app' })).toMatchObject({ databaseOutcome: 'dropped', terminatedConnections: 1 });
    await appSession.end().catch(() => undefined);
  });

  test('objects the role owns in its own database go with it; in the admin database they are reassigned to the admin', async () => {
    await manager.handle({ action: 'createDatabase', database: 'owner_objs' });
    await pg.query('SET ROLE owner_objs; CREATE TABLE inside (id int); RESET ROLE', [], 'owner_objs');
    await pg.query('CREATE TABLE owner_objs_leftover (id int); ALTER TABLE owner_objs_leftover OWNER TO owner_objs', []);

    const result = (await manager.handle({ action: 'dropDatabase', database: 'owner_objs', dropOwner: true })) as DropDatabaseResult;
    expect(result).toMatchObject({ databaseOutcome: 'dropped', role: 'dropped' });
    expect(await catalog('owner_objs', 'owner_objs')).toMatchObject({ dbOwner: null, roleExists: false });
    const [table] = await pg.query<{ owner: string }>("SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'owner_objs_leftover'");
    expect(table.owner).toBe(pg.adminUser);
  });

  test('a role that owns objects in a third database is refused (RoleInUse) before anything is dropped', async () => {
    await manager.handle({ action: 'createDatabase', database: 'sticky' });
    await manager.handle({ action: 'createDatabase', database: 'neighbour' });
    await pg.query('GRANT CREATE ON SCHEMA public TO sticky', [], 'neighbour');
    await pg.query('SET ROLE sticky; CREATE TABLE sticky_table (id int); RESET ROLE', [], 'neighbour');
    const before = await allDatabasesAndRoles();

    await expect(manager.handle({ action: 'dropDatabase', database: 'sticky', dropOwner: true })).rejects.toMatchObject({
      name: 'RoleInUse',
      message: expect.stringContaining('neighbour'),
    });
    expect(await allDatabasesAndRoles()).toEqual(before);
  });

  test('never drops the admin user as an owner', async () => {
    await pg.query(`CREATE DATABASE admin_owned OWNER ${pg.adminUser}`);
    await expect(manager.handle({ action: 'dropDatabase', database: 'admin_owned', dropOwner: true })).rejects.toMatchObject({ name: 'ProtectedRole' });
    expect((await catalog('admin_owned', pg.adminUser)).dbOwner).toBe(pg.adminUser);
  });
});

describe('enableIamAuth', () => {
  test('grants rds_iam to a named user once', async () => {
    await pg.query('CREATE ROLE reporting LOGIN');
    expect(await manager.handle({ action: 'enableIamAuth', user: 'reporting' })).toMatchObject({ changed: true, iamAuth: 'granted', user: 'reporting' });
    expect(await manager.handle({ action: 'enableIamAuth', user: 'reporting' })).toMatchObject({ changed: false, iamAuth: 'already granted, nothing to do' });
    expect((await catalog('none_such', 'reporting')).iamMemberships).toBe(1);
  });

  test('defaults to the admin user', async () => {
    const result = await manager.handle({ action: 'enableIamAuth' });
    expect(result).toMatchObject({ changed: true, user: pg.adminUser, iamAuth: 'granted' });
    expect((await catalog('none_such', pg.adminUser)).iamMemberships).toBe(1);
    expect(await manager.handle({ action: 'enableIamAuth' })).toMatchObject({ changed: false });
    await pg.query(`REVOKE rds_iam FROM ${pg.adminUser}`);
  });

  test('an unknown user is RoleNotFound', async () => {
    await expect(manager.handle({ action: 'enableIamAuth', user: 'nobody_here' })).rejects.toMatchObject({ name: 'RoleNotFound', message: expect.stringContaining('"nobody_here" does not exist') });
  });
});

describe('runSql', () => {
  beforeAll(async () => {
    await manager.handle({ action: 'createDatabase', database: 'sql_app' });
  });

  test('runs one-off SQL in the named database, idempotent SQL twice', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await manager.handle({ action: 'runSql', database: 'sql_app', sql: 'CREATE EXTENSION IF NOT EXISTS citext' });
      expect(result).toMatchObject({ action: 'runSql', database: 'sql_app' });
    }
    const ext = await pg.query("SELECT extname FROM pg_extension WHERE extname = 'citext'", [], 'sql_app');
    expect(ext.length).toBe(1);
    expect(await pg.query("SELECT extname FROM pg_extension WHERE extname = 'citext'")).toEqual([]);
  });

  test('binds parameters and bounds the rows it returns', async () => {
    const result = await manager.handle({ action: 'runSql', database: 'sql_app', sql: 'SELECT g AS n, $1::text AS label FROM generate_series(1, $2::int) g', parameters: ["it's", 250] });
    expect(result).toMatchObject({ rowCount: 250, truncated: true, fields: ['n', 'label'] });
    if (result.action !== 'runSql') throw new Error('wrong action');
    expect(result.rows).toHaveLength(100);
    expect(result.rows[99]).toEqual({ n: 100, label: "it's" });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  test('a failure midway leaves nothing applied', async () => {
    await expect(
      manager.handle({ action: 'runSql', database: 'sql_app', sql: 'CREATE TABLE half (id int); INSERT INTO half VALUES (1); SELECT 1 / 0' }),
    ).rejects.toMatchObject({ name: 'SqlError', sqlState: '22012', message: expect.stringContaining('nothing was applied') });
    expect(await pg.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'", [], 'sql_app')).toEqual([]);
  });

  test('an unknown database is DatabaseNotFound', async () => {
    await expect(manager.handle({ action: 'runSql', database: 'no_such_db', sql: 'SELECT 1' })).rejects.toMatchObject({ name: 'DatabaseNotFound' });
  });
});

describe('hostile input', () => {
  const hostile: [string, unknown, string][] = [
    ['double quote', { action: 'createDatabase', database: 'a"; DROP DATABASE postgres; --' }, 'InvalidIdentifier'],
    ['single quote', { action: 'createDatabase', database: "a'b" }, 'InvalidIdentifier'],
    ['semicolon', { action: 'createDatabase', database: 'a;b' }, 'InvalidIdentifier'],
    ['comment', { action: 'createDatabase', database: 'a--b' }, 'InvalidIdentifier'],
    ['NUL', { action: 'createDatabase', database: 'a\u0000b' }, 'InvalidIdentifier'],
    ['Cyrillic look-alike', { action: 'createDatabase', database: 'p\u043estgres' }, 'InvalidIdentifier'],
    ['fullwidth look-alike', { action: 'createDatabase', database: '\uff50ostgres' }, 'InvalidIdentifier'],
    ['upper case', { action: 'createDatabase', database: 'Shop' }, 'InvalidIdentifier'],
    ['64 bytes', { action: 'createDatabase', database: 'a'.repeat(64) }, 'InvalidIdentifier'],
    ['reserved postgres', { action: 'dropDatabase', database: 'postgres' }, 'InvalidIdentifier'],
    ['reserved template1', { action: 'dropDatabase', database: 'template1', dropOwner: true }, 'InvalidIdentifier'],
    ['reserved template0', { action: 'createDatabase', database: 'template0' }, 'InvalidIdentifier'],
    ['reserved rdsadmin', { action: 'createDatabase', database: 'rdsadmin' }, 'InvalidIdentifier'],
    ['rds_ prefix', { action: 'createDatabase', database: 'app', owner: 'rds_superuser' }, 'InvalidIdentifier'],
    ['pg_ prefix', { action: 'enableIamAuth', user: 'pg_read_all_data' }, 'InvalidIdentifier'],
    ['SQL in owner', { action: 'createDatabase', database: 'app', owner: 'x; DROP ROLE slipway_admin' }, 'InvalidIdentifier'],
    ['SQL in dropDatabase owner', { action: 'dropDatabase', database: 'app', dropOwner: true, owner: 'slipway_admin"; DROP DATABASE app; --' }, 'InvalidIdentifier'],
    ['look-alike owner', { action: 'createDatabase', database: 'app', owner: 'slipway_\u0430dmin' }, 'InvalidIdentifier'],
    ['zero-width space', { action: 'createDatabase', database: 'app\u200b' }, 'InvalidIdentifier'],
    ['64 bytes of 2-byte characters', { action: 'createDatabase', database: '\u00e9'.repeat(32) }, 'InvalidIdentifier'],
    ['reserved name as owner', { action: 'createDatabase', database: 'app', owner: 'postgres' }, 'InvalidIdentifier'],
    ['reserved current_user as user', { action: 'enableIamAuth', user: 'current_user' }, 'InvalidIdentifier'],
    ['SQL in runSql parameters type', { action: 'runSql', database: 'app', sql: 'SELECT $1', parameters: [{ toString: 'DROP DATABASE app' }] }, 'InvalidRequest'],
    ['SQL in user', { action: 'enableIamAuth', user: 'x" WITH SUPERUSER --' }, 'InvalidIdentifier'],
    ['SQL in runSql database', { action: 'runSql', database: 'postgres; DROP DATABASE x', sql: 'SELECT 1' }, 'InvalidIdentifier'],
    ['SQL in iamAuth', { action: 'createDatabase', database: 'app', iamAuth: 'true; DROP ROLE x' }, 'InvalidRequest'],
    ['SQL in dropOwner', { action: 'dropDatabase', database: 'app', dropOwner: "1'; DROP" }, 'InvalidRequest'],
    ['SQL in action', { action: 'createDatabase; DROP DATABASE postgres', database: 'app' }, 'UnknownAction'],
    ['SQL as an extra field', { action: 'createDatabase', database: 'app', "'; DROP DATABASE postgres; --": 1 }, 'InvalidRequest'],
    ['NUL in runSql', { action: 'runSql', database: 'app', sql: 'SELECT 1\u0000; DROP DATABASE postgres' }, 'InvalidRequest'],
    ['not an object', 'DROP DATABASE postgres', 'InvalidRequest'],
    ['number as database', { action: 'createDatabase', database: 42 }, 'InvalidRequest'],
  ];

  test('SQL in runSql parameters is data: bound, returned as text, nothing else happens', async () => {
    await manager.handle({ action: 'createDatabase', database: 'param_app' });
    const before = await allDatabasesAndRoles();
    const payload = "x'); DROP DATABASE param_app; DROP ROLE param_app; --";
    const result = await manager.handle({ action: 'runSql', database: 'param_app', sql: 'SELECT $1::text AS value, length($1::text) AS n', parameters: [payload] });
    expect(result).toMatchObject({ rows: [{ value: payload, n: payload.length }] });
    expect(await allDatabasesAndRoles()).toEqual(before);
  });

  test.each(hostile)('%s is refused with a named error and changes nothing', async (_label, event, errorName) => {
    const before = await allDatabasesAndRoles();
    const error = (await manager.handle(event).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    expect(error?.name).toBe(errorName);
    expect(error?.message).not.toMatch(/\n|\u0000/);
    expect(await allDatabasesAndRoles()).toEqual(before);
  });
});

describe('concurrency', () => {
  test('20 createDatabase calls for distinct apps at once all succeed', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `fleet_${i}`);
    const managers = names.map(() => newManager(1));
    const results = await Promise.allSettled(names.map((name, i) => managers[i].handle({ action: 'createDatabase', database: name })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const rows = await pg.query<{ datname: string; owner: string; iam: boolean; public: boolean }>(
      `SELECT d.datname, pg_get_userbyid(d.datdba) AS owner,
              pg_has_role(pg_get_userbyid(d.datdba), 'rds_iam', 'MEMBER') AS iam,
              has_database_privilege('public', d.oid, 'CONNECT') AS public
       FROM pg_database d WHERE d.datname LIKE 'fleet\\_%' ORDER BY 1`,
    );
    expect(rows).toEqual([...names].sort().map((n) => ({ datname: n, owner: n, iam: true, public: false })));
  });

  test('5 createDatabase calls for the same app at once: one creates, the others find it there', async () => {
    const managers = Array.from({ length: 5 }, () => newManager(1));
    const results = await Promise.allSettled(managers.map((m) => m.handle({ action: 'createDatabase', database: 'crowd' })));
    const fulfilled = results.map((r) => (r.status === 'fulfilled' ? (r.value as CreateDatabaseResult) : r.reason));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(fulfilled.filter((r) => r.role === 'created')).toHaveLength(1);
    expect(fulfilled.filter((r) => r.databaseOutcome === 'created')).toHaveLength(1);
    expect(fulfilled.filter((r) => r.role === 'already exists, nothing to do')).toHaveLength(4);
    expect(fulfilled.filter((r) => r.databaseOutcome === 'already exists, nothing to do')).toHaveLength(4);
    expect(await catalog('crowd', 'crowd')).toEqual({ dbOwner: 'crowd', roleExists: true, canLogin: true, iamMemberships: 1, ownerCanConnect: true, publicCanConnect: false, publicCanTemp: false });
  });
});

// Last in the file: its case runs on a server of its own from the start (see onTemplate1Session), so by now
// much of its 5 s wait has passed beside the tests above (about half, here).
describe('createDatabase while a session is open on template1', () => {
  test('a session on template1 (which CREATE DATABASE copies) is DatabaseInUse, and the role made for it is removed again', async () => {
    const { refused, before, after, retried } = await (template1Case ?? onTemplate1Session(pg));
    expect(refused).toMatchObject({
      name: 'DatabaseInUse',
      message: expect.stringMatching(/^database "blocked_app" was not created: source database "template1" is being accessed by other users.*close them and retry/),
    });
    expect(after).toEqual(before);
    expect(retried).toMatchObject({ role: 'created', databaseOutcome: 'created' });
  });
});
