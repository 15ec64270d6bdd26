import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pgConnectionFromEnv } from '../../../functions/database-manager/environment';

// A Lambda runtime (or a machine) without @aws-sdk/rds-signer.
jest.mock('@aws-sdk/rds-signer', () => {
  throw new Error("Cannot find module '@aws-sdk/rds-signer'");
});

test('DB_AUTH=iam where @aws-sdk/rds-signer cannot be loaded is a ConfigurationError that says what to do', async () => {
  const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
  await expect(pgConnectionFromEnv({ DB_AUTH: 'iam', DB_HOST: 'slipway-main.cluster-abc.eu-west-1.rds.amazonaws.com', DB_USER: 'slipway_admin' }, secrets)()).rejects.toMatchObject({
    name: 'ConfigurationError',
    message: "DB_AUTH=iam needs @aws-sdk/rds-signer, which cannot be loaded here (Cannot find module '@aws-sdk/rds-signer'); bundle it with the function or add it in a Lambda layer, or use DB_AUTH=password with the admin secret",
  });
});
