import * as ddbSdk from '@aws-sdk/client-dynamodb';
import { DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../../../../functions/shared/clients';
import { sdkOperations, type ServiceModel } from '../model';
import { forwardTo } from './forward';

const item = { TableName: 'string', ConditionExpression: 'string', ExpressionAttributeNames: 'map', ExpressionAttributeValues: 'map' } as const;

/**
 * DynamoDB (awsJson1_0, `DynamoDB_20120810.<Operation>`): the apps' tables and the control plane's, as
 * the simulated tables behind the handlers' client answer them (lib/local/services/dynamodb.ts);
 * ResourceNotFoundException for a table the account does not hold.
 */
export const dynamoDbService: ServiceModel = {
  title: 'DynamoDB',
  signingName: 'dynamodb',
  protocol: 'awsJson1_0',
  targetPrefix: 'DynamoDB_20120810',
  errorNamespace: 'com.amazonaws.dynamodb.v20120810',
  cors: true,
  awsOperations: () => sdkOperations(ddbSdk as unknown as Record<string, unknown>),
  operations: {
    GetItem: forwardTo(dynamodb, GetItemCommand, { required: ['TableName', 'Key'], members: { TableName: 'string', Key: 'map', ConsistentRead: 'boolean', ProjectionExpression: 'string' } }),
    PutItem: forwardTo(dynamodb, PutItemCommand, { required: ['TableName', 'Item'], members: { ...item, Item: 'map' } }),
    UpdateItem: forwardTo(dynamodb, UpdateItemCommand, { required: ['TableName', 'Key'], members: { ...item, Key: 'map', UpdateExpression: 'string' } }),
    DeleteItem: forwardTo(dynamodb, DeleteItemCommand, { required: ['TableName', 'Key'], members: { ...item, Key: 'map' } }),
    Query: forwardTo(dynamodb, QueryCommand, {
      required: ['TableName'],
      members: { TableName: 'string', KeyConditionExpression: 'string', ExpressionAttributeNames: 'map', ExpressionAttributeValues: 'map', ScanIndexForward: 'boolean', Limit: 'number' },
    }),
    ListTables: {
      members: { ExclusiveStartTableName: 'string', Limit: 'number' },
      run: (_input, { account }) => ({ TableNames: [...account.run.world.tables.keys()].sort() }),
    },
  },
};
