import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsCall, SettingsNotFound } from './errors';
import { appSettingsSchema, SETTINGS_KEY, type AppSettings } from './settings';

/**
 * Reads and validates the app's settings record.
 * @throws SettingsNotFound when the item is missing or does not match the schema.
 */
export async function getAppSettings(client: DynamoDBClient, tableName: string): Promise<AppSettings> {
  const result = await awsCall(`DynamoDB GetItem on ${tableName}`, () =>
    client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: SETTINGS_KEY.pk }, sk: { S: SETTINGS_KEY.sk } }, ConsistentRead: true })),
  );
  const raw = result.Item?.settings?.S;
  if (!raw) {
    throw new SettingsNotFound(`the app's settings record (pk=${SETTINGS_KEY.pk}, sk=${SETTINGS_KEY.sk}) is missing from table ${tableName}: deploy the app stack first`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SettingsNotFound(`the app's settings record in table ${tableName} is not JSON: redeploy the app stack`);
  }
  const settings = appSettingsSchema.safeParse(parsed);
  if (!settings.success) {
    const issue = settings.error.issues[0];
    throw new SettingsNotFound(`the app's settings record in table ${tableName} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return settings.data;
}
