import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isAwsError } from '../shared/errors';

/** What the manager records for an owner role that logs in with a password. */
export interface OwnerCredentials {
  readonly owner: string;
  readonly database: string;
  readonly password: string;
}

/** Where generated owner passwords go. `save` returns where to find it (a secret ARN). */
export interface PasswordStore {
  save(credentials: OwnerCredentials): Promise<string>;
}

/** Options of {@link secretsManagerPasswordStore}. */
export interface SecretsManagerPasswordStoreOptions {
  /** Secret names are `<prefix><owner>`, e.g. `slipway/db/main/my_app`. */
  readonly prefix: string;
  /** Cluster endpoint, stored with the password the way RDS stores its own secrets. */
  readonly host?: string;
  readonly port?: number;
  /** KMS key for the secrets. @default the account's `aws/secretsmanager` key */
  readonly kmsKeyId?: string;
}

/**
 * Stores owner passwords in Secrets Manager as RDS-style JSON (`username`, `password`, `engine`, `host`,
 * `port`, `dbname`): CreateSecret, or PutSecretValue when a secret of that name is left from an earlier role.
 */
export function secretsManagerPasswordStore(client: SecretsManagerClient, options: SecretsManagerPasswordStoreOptions): PasswordStore {
  return {
    async save({ owner, database, password }) {
      const name = `${options.prefix}${owner}`;
      const secretString = JSON.stringify({
        engine: 'postgres',
        username: owner,
        password,
        dbname: database,
        ...(options.host ? { host: options.host } : {}),
        ...(options.port ? { port: options.port } : {}),
      });
      try {
        const created = await client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: secretString,
            Description: `Password of PostgreSQL role ${owner} (owner of database ${database}), created by the Slipway database manager`,
            ...(options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {}),
          }),
        );
        return created.ARN ?? name;
      } catch (e) {
        if (!isAwsError(e, 'ResourceExistsException')) throw e;
        const updated = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
        return updated.ARN ?? name;
      }
    },
  };
}
