import 'aws-sdk-client-mock-jest';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { driverFromEnv, passwordStoreFromEnv } from '../../../functions/database-manager/environment';
import type { RunSqlResult } from '../../../domain/database';
import { DatabaseManager } from '../../../functions/database-manager/manager';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

/**
 * The way the manager reaches Aurora, for real: the admin secret (Secrets Manager, mocked) names host,
 * port, user and password; the connection is TLS with the server certificate verified against the CA
 * file in PGSSLROOTCERT (on Lambda: the runtime's bundle with the RDS CAs). The harness's server has a
 * certificate for `localhost` from a throwaway CA and requires a SCRAM password over TCP.
 */

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/main/admin-AbCdEf';
const ADMIN = 'tls_admin';
const PASSWORD = 'correct-horse-battery-staple';

const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
const secretsMock = mockClient(secrets);
const rdsData = new RDSDataClient({ region: 'eu-west-1' });
let pg: TestPostgres;
const managers: DatabaseManager[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  if (!pg.tls) throw new Error('these tests need the harness\'s own server with TLS (openssl installed, DATABASE_URL/PGHOST unset)');
  // An admin like Aurora's master user: not a superuser, may create roles and databases.
  await pg.query(`CREATE ROLE ${ADMIN} LOGIN CREATEDB CREATEROLE PASSWORD '${PASSWORD}'`);
  await pg.query(`GRANT pg_signal_backend TO ${ADMIN}`);
});

afterAll(async () => {
  await Promise.all(managers.map((m) => m.close()));
  await pg?.stop();
});

beforeEach(() => secretsMock.reset());

/** A manager configured the way the construct configures it on Lambda, reading the (mocked) secret. */
function managerFor(secret: Record<string, unknown>, env: Record<string, string> = {}): DatabaseManager {
  secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(secret) });
  const fullEnv = { ADMIN_SECRET_ARN: SECRET_ARN, ADMIN_DATABASE: 'postgres', PGSSLROOTCERT: pg.tls!.caFile, ...env };
  const manager = new DatabaseManager({ driver: driverFromEnv(fullEnv, { secrets, rdsData }), passwords: passwordStoreFromEnv(fullEnv, secrets) });
  managers.push(manager);
  return manager;
}

const rdsSecret = () => ({ engine: 'postgres', username: ADMIN, password: PASSWORD, host: pg.tls!.host, port: pg.tcp.port, dbname: 'postgres' });

test('with the admin secret, the manager logs in with its password over TLS verified against the CA file', async () => {
  const manager = managerFor(rdsSecret());
  expect(await manager.handle({ action: 'createDatabase', database: 'over_tls' })).toMatchObject({ changed: true, databaseOutcome: 'created' });
  const [row] = await pg.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'over_tls'");
  expect(row.owner).toBe('over_tls');
  const session = (await manager.handle({ action: 'runSql', database: 'over_tls', sql: 'SELECT s.ssl, current_user AS "user" FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()' })) as RunSqlResult;
  expect(session.rows).toEqual([{ ssl: true, user: ADMIN }]);
  expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
});

test('a server certificate from another CA is refused: ConnectionFailed, nothing sent', async () => {
  const manager = managerFor(rdsSecret(), { PGSSLROOTCERT: pg.tls!.otherCaFile });
  await expect(manager.handle({ action: 'createDatabase', database: 'untrusted' })).rejects.toMatchObject({
    name: 'ConnectionFailed',
    message: expect.stringMatching(/^cannot connect to PostgreSQL at localhost:\d+ as tls_admin: .*(certificate|self.signed)/),
  });
  expect(await pg.query("SELECT 1 FROM pg_database WHERE datname = 'untrusted'")).toEqual([]);
});

test('a host name the certificate does not name is refused (the host is verified, not only the CA)', async () => {
  const manager = managerFor({ ...rdsSecret(), host: '127.0.0.1' });
  await expect(manager.handle({ action: 'createDatabase', database: 'wrong_host' })).rejects.toMatchObject({
    name: 'ConnectionFailed',
    message: expect.stringMatching(/IP: 127\.0\.0\.1 is not in the cert's list|does not match certificate/),
  });
});

test('a wrong password in the secret is ConnectionFailed naming the server and user', async () => {
  const manager = managerFor({ ...rdsSecret(), password: 'stale-password' });
  await expect(manager.handle({ action: 'enableIamAuth', user: ADMIN })).rejects.toMatchObject({
    name: 'ConnectionFailed',
    message: expect.stringMatching(/^cannot connect to PostgreSQL at localhost:\d+ as tls_admin: password authentication failed for user "tls_admin"/),
  });
});
