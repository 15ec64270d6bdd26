import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RDSDataClient } from '@aws-sdk/client-rds-data';
import { ConfigurationError } from './errors';
import { assertLibpqEnv } from './libpq-env';
import type { Driver } from './driver';
import { DataApiDriver } from './driver-data-api';
import { PgDriver, verifiedTls, type PgConnection } from './driver-pg';
import { secretsManagerPasswordStore, type PasswordStore } from './passwords';

/**
 * The manager's settings come from environment variables (the construct sets them):
 *
 * | variable | meaning |
 * |---|---|
 * | `DB_DRIVER` | `pg` (default) or `data-api` |
 * | `ADMIN_SECRET_ARN` | the cluster's admin secret (RDS JSON: username, password, host, port, dbname); absent: libpq variables |
 * | `DB_AUTH` | `password` (default) or `iam`: log in with an IAM auth token instead of the secret's password |
 * | `DB_HOST`, `DB_PORT`, `DB_USER` | override host/port/user (IAM auth without a secret) |
 * | `ADMIN_DATABASE` | database for admin work (default: the secret's `dbname`, PGDATABASE, or `postgres`) |
 * | `CLUSTER_ARN` | the Aurora cluster (Data API driver) |
 * | `OWNER_SECRET_PREFIX` | name prefix of owner password secrets (default `slipway/db/`) |
 * | `PGSSLROOTCERT` / `NODE_EXTRA_CA_CERTS` | CA bundle that verifies the RDS certificate |
 */

/** The admin secret's fields the manager uses. */
interface AdminSecret {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

/** Reads and checks the admin secret. @throws ConfigurationError naming the secret and the missing field. */
export async function readAdminSecret(client: SecretsManagerClient, secretArn: string): Promise<AdminSecret> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
  } catch (e) {
    throw new ConfigurationError(`cannot read the admin secret ${secretArn}: ${(e as Error).message}`);
  }
  let value: Partial<AdminSecret>;
  try {
    value = JSON.parse(text ?? '') as Partial<AdminSecret>;
  } catch {
    throw new ConfigurationError(`the admin secret ${secretArn} is not JSON with username and password`);
  }
  if (typeof value.username !== 'string' || typeof value.password !== 'string') {
    throw new ConfigurationError(`the admin secret ${secretArn} has no username/password fields`);
  }
  return value as AdminSecret;
}

/** Builds the pg driver's connection settings from the environment (see the table above). */
export function pgConnectionFromEnv(env: NodeJS.ProcessEnv, secrets: SecretsManagerClient): () => Promise<PgConnection> {
  return async () => {
    const secretArn = env.ADMIN_SECRET_ARN;
    const iam = env.DB_AUTH === 'iam';
    if (env.DB_AUTH && !['iam', 'password'].includes(env.DB_AUTH)) throw new ConfigurationError(`DB_AUTH must be "iam" or "password", not "${env.DB_AUTH}"`);
    if (env.DB_PORT !== undefined) assertLibpqEnv(env, { port: 'DB_PORT' });
    if (!secretArn && !iam) {
      assertLibpqEnv(env);
      return {}; // libpq environment: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE
    }
    const secret = secretArn ? await readAdminSecret(secrets, secretArn) : undefined;
    const host = env.DB_HOST ?? secret?.host;
    const port = Number(env.DB_PORT ?? secret?.port ?? 5432);
    const user = env.DB_USER ?? secret?.username;
    if (!host || !user) throw new ConfigurationError('set ADMIN_SECRET_ARN (a secret with host and username) or DB_HOST and DB_USER');
    const database = env.ADMIN_DATABASE ?? secret?.dbname ?? 'postgres';
    let password: PgConnection['password'];
    if (iam) {
      // Loaded only in IAM mode: the AWS SDK is left to the Lambda runtime (bundling the signer and its
      // credential providers would triple the bundle), so say plainly when a runtime lacks it.
      let Signer: typeof import('@aws-sdk/rds-signer').Signer;
      try {
        ({ Signer } = await import('@aws-sdk/rds-signer'));
      } catch (e) {
        throw new ConfigurationError(
          `DB_AUTH=iam needs @aws-sdk/rds-signer, which cannot be loaded here (${(e as Error).message.split('\n')[0]}); bundle it with the function or add it in a Lambda layer, or use DB_AUTH=password with the admin secret`,
        );
      }
      const signer = new Signer({ hostname: host, port, username: user, ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) });
      password = () => signer.getAuthToken();
    } else {
      // Read again for each new connection, so a rotated password is picked up.
      password = async () => (await readAdminSecret(secrets, secretArn as string)).password;
    }
    return { host, port, user, database, password, ssl: verifiedTls(env, host) };
  };
}

/** The driver the environment asks for. */
export function driverFromEnv(env: NodeJS.ProcessEnv, clients: { secrets: SecretsManagerClient; rdsData: RDSDataClient }): Driver {
  const kind = env.DB_DRIVER ?? 'pg';
  if (kind === 'data-api') {
    if (!env.CLUSTER_ARN || !env.ADMIN_SECRET_ARN) throw new ConfigurationError('the data-api driver needs CLUSTER_ARN and ADMIN_SECRET_ARN');
    return new DataApiDriver(clients.rdsData, { resourceArn: env.CLUSTER_ARN, secretArn: env.ADMIN_SECRET_ARN, adminDatabase: env.ADMIN_DATABASE ?? 'postgres' });
  }
  if (kind !== 'pg') throw new ConfigurationError(`DB_DRIVER must be "pg" or "data-api", not "${kind}"`);
  return new PgDriver({ connection: pgConnectionFromEnv(env, clients.secrets) });
}

/** The password store the environment asks for. */
export function passwordStoreFromEnv(env: NodeJS.ProcessEnv, secrets: SecretsManagerClient): PasswordStore {
  return secretsManagerPasswordStore(secrets, {
    prefix: env.OWNER_SECRET_PREFIX ?? 'slipway/db/',
    ...(env.DB_HOST ? { host: env.DB_HOST } : {}),
    ...(env.DB_PORT ? { port: Number(env.DB_PORT) } : {}),
  });
}
