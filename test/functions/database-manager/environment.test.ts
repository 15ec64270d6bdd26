import 'aws-sdk-client-mock-jest';
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { driverFromEnv, passwordStoreFromEnv, pgConnectionFromEnv, readAdminSecret } from '../../../functions/database-manager/environment';
import type { PgConnection } from '../../../functions/database-manager/driver-pg';

jest.mock('@aws-sdk/rds-signer', () => ({
  Signer: jest.fn().mockImplementation(() => ({ getAuthToken: jest.fn().mockResolvedValue('iam-token-for-slipway_admin') })),
}));
const SignerMock = Signer as unknown as jest.Mock;

const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
const secretsMock = mockClient(secrets);
const rdsData = new RDSDataClient({ region: 'eu-west-1' });
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/main/admin-AbCdEf';
const CLUSTER_ARN = 'arn:aws:rds:eu-west-1:123456789012:cluster:slipway-main';
const adminSecret = { username: 'slipway_admin', password: 'first-password', host: 'slipway-main.cluster-abc.eu-west-1.rds.amazonaws.com', port: 5432, dbname: 'postgres', engine: 'postgres' };

beforeEach(() => {
  secretsMock.reset();
  SignerMock.mockClear();
});

/** The password a connection gets: a string, or what the function it got returns. */
async function passwordOf(connection: PgConnection): Promise<string | undefined> {
  return typeof connection.password === 'function' ? connection.password() : connection.password;
}

describe('readAdminSecret', () => {
  test('reads the RDS JSON secret', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(adminSecret) });
    await expect(readAdminSecret(secrets, SECRET_ARN)).resolves.toMatchObject({ username: 'slipway_admin', password: 'first-password', host: adminSecret.host });
  });

  test('an unreadable secret is a ConfigurationError naming it and the AWS error', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    await expect(readAdminSecret(secrets, SECRET_ARN)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: `cannot read the admin secret ${SECRET_ARN}: User is not authorized to perform: secretsmanager:GetSecretValue`,
    });
  });

  test('a secret that is not JSON is a ConfigurationError', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2' });
    await expect(readAdminSecret(secrets, SECRET_ARN)).rejects.toMatchObject({ name: 'ConfigurationError', message: `the admin secret ${SECRET_ARN} is not JSON with username and password` });
  });

  test('a secret without a password field is a ConfigurationError', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'slipway_admin' }) });
    await expect(readAdminSecret(secrets, SECRET_ARN)).rejects.toMatchObject({ name: 'ConfigurationError', message: `the admin secret ${SECRET_ARN} has no username/password fields` });
  });
});

describe('pgConnectionFromEnv', () => {
  test('with no secret and no IAM auth, nothing is set: libpq variables (PGHOST, PGUSER, ...) apply', async () => {
    const connection = await pgConnectionFromEnv({ PGHOST: '/tmp/sock', PGUSER: 'me' }, secrets)();
    expect(connection).toEqual({});
    expect(secretsMock).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  test('with a secret ARN: host, port, user and database from the secret, TLS verified against that host', async () => {
    secretsMock.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify(adminSecret) });
    const connection = await pgConnectionFromEnv({ ADMIN_SECRET_ARN: SECRET_ARN }, secrets)();
    expect(connection).toMatchObject({ host: adminSecret.host, port: 5432, user: 'slipway_admin', database: 'postgres', ssl: { rejectUnauthorized: true, servername: adminSecret.host } });
    expect(await passwordOf(connection)).toBe('first-password');
  });

  test('the password is read again for every new connection, so a rotated password is used', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(adminSecret) })
      .resolvesOnce({ SecretString: JSON.stringify(adminSecret) })
      .resolves({ SecretString: JSON.stringify({ ...adminSecret, password: 'rotated-password' }) });
    const connection = await pgConnectionFromEnv({ ADMIN_SECRET_ARN: SECRET_ARN }, secrets)();
    expect(await passwordOf(connection)).toBe('first-password');
    expect(await passwordOf(connection)).toBe('rotated-password');
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  test('DB_HOST, DB_PORT, DB_USER and ADMIN_DATABASE override the secret', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(adminSecret) });
    const env = { ADMIN_SECRET_ARN: SECRET_ARN, DB_HOST: 'writer.example.internal', DB_PORT: '6432', DB_USER: 'other_admin', ADMIN_DATABASE: 'admin' };
    expect(await pgConnectionFromEnv(env, secrets)()).toMatchObject({ host: 'writer.example.internal', port: 6432, user: 'other_admin', database: 'admin', ssl: { servername: 'writer.example.internal' } });
  });

  test('DB_AUTH=iam logs in with an IAM auth token from @aws-sdk/rds-signer, signed for the endpoint and user', async () => {
    const env = { DB_AUTH: 'iam', DB_HOST: adminSecret.host, DB_PORT: '5432', DB_USER: 'slipway_admin', AWS_REGION: 'eu-west-1' };
    const connection = await pgConnectionFromEnv(env, secrets)();
    expect(await passwordOf(connection)).toBe('iam-token-for-slipway_admin');
    expect(SignerMock).toHaveBeenCalledWith({ hostname: adminSecret.host, port: 5432, username: 'slipway_admin', region: 'eu-west-1' });
    expect(connection).toMatchObject({ host: adminSecret.host, user: 'slipway_admin', database: 'postgres', ssl: { rejectUnauthorized: true } });
    expect(secretsMock).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  test('DB_AUTH=iam with a secret takes host and user from it, never its password', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(adminSecret) });
    const connection = await pgConnectionFromEnv({ DB_AUTH: 'iam', ADMIN_SECRET_ARN: SECRET_ARN }, secrets)();
    expect(await passwordOf(connection)).toBe('iam-token-for-slipway_admin');
    expect(SignerMock).toHaveBeenCalledWith(expect.objectContaining({ hostname: adminSecret.host, username: 'slipway_admin' }));
  });

  test('DB_AUTH=iam without a host is a ConfigurationError that says what to set', async () => {
    await expect(pgConnectionFromEnv({ DB_AUTH: 'iam', DB_USER: 'slipway_admin' }, secrets)()).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'set ADMIN_SECRET_ARN (a secret with host and username) or DB_HOST and DB_USER',
    });
  });

  test('an unknown DB_AUTH is a ConfigurationError', async () => {
    await expect(pgConnectionFromEnv({ DB_AUTH: 'kerberos' }, secrets)()).rejects.toMatchObject({ name: 'ConfigurationError', message: 'DB_AUTH must be "iam" or "password", not "kerberos"' });
  });

  test('PGSSLROOTCERT that cannot be read is a ConfigurationError naming the file', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(adminSecret) });
    await expect(pgConnectionFromEnv({ ADMIN_SECRET_ARN: SECRET_ARN, PGSSLROOTCERT: '/nonexistent/global-bundle.pem' }, secrets)()).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(/^PGSSLROOTCERT=\/nonexistent\/global-bundle\.pem cannot be read .*point it at the RDS CA bundle/),
    });
  });
});

describe('driverFromEnv', () => {
  test('pg by default', () => {
    expect(driverFromEnv({}, { secrets, rdsData }).kind).toBe('pg');
  });

  test('data-api with a cluster and a secret', () => {
    expect(driverFromEnv({ DB_DRIVER: 'data-api', CLUSTER_ARN, ADMIN_SECRET_ARN: SECRET_ARN }, { secrets, rdsData }).kind).toBe('data-api');
  });

  test('data-api without CLUSTER_ARN is a ConfigurationError', () => {
    expect(() => driverFromEnv({ DB_DRIVER: 'data-api', ADMIN_SECRET_ARN: SECRET_ARN }, { secrets, rdsData })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', message: 'the data-api driver needs CLUSTER_ARN and ADMIN_SECRET_ARN' }),
    );
  });

  test('an unknown DB_DRIVER is a ConfigurationError', () => {
    expect(() => driverFromEnv({ DB_DRIVER: 'mysql' }, { secrets, rdsData })).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: 'DB_DRIVER must be "pg" or "data-api", not "mysql"' }));
  });
});

describe('passwordStoreFromEnv', () => {
  test('owner secrets are named <OWNER_SECRET_PREFIX><owner> and carry the cluster endpoint', async () => {
    secretsMock.on(CreateSecretCommand).resolves({ ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/db/main/shop-x' });
    const store = passwordStoreFromEnv({ OWNER_SECRET_PREFIX: 'slipway/db/main/', DB_HOST: adminSecret.host, DB_PORT: '5432' }, secrets);
    await store.save({ owner: 'shop', database: 'shop', password: 'generated' });
    const input = secretsMock.commandCalls(CreateSecretCommand)[0].args[0].input;
    expect(input.Name).toBe('slipway/db/main/shop');
    expect(JSON.parse(input.SecretString as string)).toEqual({ engine: 'postgres', username: 'shop', password: 'generated', dbname: 'shop', host: adminSecret.host, port: 5432 });
  });

  test('the prefix defaults to slipway/db/', async () => {
    secretsMock.on(CreateSecretCommand).resolves({ ARN: 'arn:x' });
    await passwordStoreFromEnv({}, secrets).save({ owner: 'shop', database: 'shop', password: 'generated' });
    expect(secretsMock).toHaveReceivedCommandWith(CreateSecretCommand, { Name: 'slipway/db/shop' });
  });
});
