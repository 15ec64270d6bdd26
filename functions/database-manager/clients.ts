import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Secrets Manager client, built once per Lambda instance (tests replace it with aws-sdk-client-mock). */
export const secretsManager = new SecretsManagerClient({});

/** RDS Data API client, built once per Lambda instance. */
export const rdsData = new RDSDataClient({});
