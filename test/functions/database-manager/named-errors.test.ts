import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PgDriver } from '../../../functions/database-manager/driver-pg';
import { pgConnectionFromEnv } from '../../../functions/database-manager/environment';
import { libpqEnvProblem } from '../../../functions/database-manager/libpq-env';
import { DatabaseManager } from '../../../functions/database-manager/manager';
import { secretsManagerPasswordStore } from '../../../functions/database-manager/passwords';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

// Errors named for their cause, against the real PostgreSQL: a permission problem is not "in use", a
// server that is down is not AWS, a setting libpq would refuse is refused before connecting.

const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
let pg: TestPostgres;
const drivers: PgDriver[] = [];
const managerFor = (connection: ConstructorParameters<typeof PgDriver>[0]['connection']) => {
  const driver = new PgDriver({ connection });
  drivers.push(driver);
  return new DatabaseManager({ driver, passwords: secretsManagerPasswordStore(secrets, { prefix: 'slipway/db/test/' }) });
};

beforeAll(async () => {
  pg = await startPostgres();
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await pg?.stop();
});

test('dropping a database a superuser owns is PermissionDenied (not DatabaseInUse), with what to do, and nothing is dropped', async () => {
  await pg.query('CREATE DATABASE owned_by_superuser');
  const run = managerFor(pg.admin).handle({ action: 'dropDatabase', database: 'owned_by_superuser' });
  await expect(run).rejects.toMatchObject({
    name: 'PermissionDenied',
    message: expect.stringMatching(/must be owner of database owned_by_superuser.*nothing was dropped\. Drop it as ".+" or a superuser, or first ALTER DATABASE owned_by_superuser OWNER TO slipway_admin$/),
  });
  expect(await pg.query("SELECT 1 AS one FROM pg_database WHERE datname = 'owned_by_superuser'")).toEqual([{ one: 1 }]);
});

test('a PostgreSQL that is down is ConnectionFailed, naming where and what to check', async () => {
  // Port 1 (tcpmux): nothing listens there on a test machine.
  const run = managerFor({ host: '127.0.0.1', port: 1, user: 'nobody', database: 'postgres' }).handle({ action: 'createDatabase', database: 'never_made' });
  await expect(run).rejects.toMatchObject({
    name: 'ConnectionFailed',
    message: expect.stringMatching(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1 as nobody: .*ECONNREFUSED.*; nothing was changed\. Check that the server is running/),
  });
});

describe('libpq settings are checked before connecting', () => {
  test.each([
    [{ PGPORT: 'abc' }, /^PGPORT="abc" is not a TCP port/],
    [{ PGPORT: '99999' }, /^PGPORT="99999" is not a TCP port/],
    [{ PGPORT: '0' }, /^PGPORT="0" is not a TCP port/],
    [{ PGPORT: '-1' }, /^PGPORT="-1" is not a TCP port/],
    [{ PGPORT: '5432.5' }, /^PGPORT="5432.5" is not a TCP port/],
    [{ PGCONNECT_TIMEOUT: 'soon' }, /^PGCONNECT_TIMEOUT="soon" is not a whole number of seconds/],
    [{ PGSSLMODE: 'maybe' }, /^PGSSLMODE="maybe" is not an sslmode libpq knows: use one of disable, allow, prefer, require, verify-ca, verify-full$/],
    [{ PGHOST: 'db\n.example' }, /^PGHOST contains a control character .*\(got "db\\n\.example"\)$/],
  ])('%j is refused by name', (env, message) => {
    expect(libpqEnvProblem(env)).toMatch(message);
  });

  test.each([[{}], [{ PGPORT: '5432', PGSSLMODE: 'verify-full', PGCONNECT_TIMEOUT: '10', PGHOST: '/var/run/postgresql' }], [{ PGPORT: '' }]])('%j passes', (env) => {
    expect(libpqEnvProblem(env)).toBeUndefined();
  });

  test('the Lambda refuses a DB_PORT that is not a port, naming DB_PORT, before reading any secret', async () => {
    const connection = pgConnectionFromEnv({ DB_PORT: 'abc', ADMIN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' }, secrets);
    await expect(connection()).rejects.toMatchObject({ name: 'InvalidConnectionSetting', message: expect.stringMatching(/^DB_PORT="abc" is not a TCP port/) });
  });

  test('the manager with libpq settings refuses PGPORT=abc before connecting', async () => {
    const connection = pgConnectionFromEnv({ PGPORT: 'abc' }, secrets);
    await expect(managerFor(connection).handle({ action: 'createDatabase', database: 'never_made' })).rejects.toMatchObject({ name: 'InvalidConnectionSetting' });
  });
});
