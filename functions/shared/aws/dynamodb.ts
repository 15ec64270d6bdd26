import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The DynamoDB client, built once per Lambda container. */
export const dynamodb = new DynamoDBClient({});
