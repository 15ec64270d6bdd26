import 'aws-sdk-client-mock-jest';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { secretsManager } from '../../../functions/database-manager/clients';
import type { CustomResourceEvent, CustomResourceResponse } from '../../../functions/database-manager/custom-resource';
import type { ManagerResult } from '../../../domain/database';
import { AppDatabase } from '../../../lib/constructs/app-database';
import { startPostgres, type TestPostgres } from '../../helpers/postgres';

/**
 * The Lambda entry point (index.ts) as AWS calls it: with the manager's settings in the environment (here
 * the libpq variables of a throwaway PostgreSQL), for direct invocations and for the `AppDatabase` custom
 * resource (custom-resource.ts), as the CDK provider framework hands CloudFormation's events to it.
 */

const secretsMock = mockClient(secretsManager);
let pg: TestPostgres;
let handler: (event: unknown) => Promise<ManagerResult | CustomResourceResponse>;
let closeManager: () => Promise<void>;

beforeAll(async () => {
  pg = await startPostgres();
  Object.assign(process.env, pg.env);
  delete process.env.ADMIN_SECRET_ARN;
  delete process.env.DB_DRIVER;
  delete process.env.DB_AUTH;
  // Imported once the environment is set: the manager is built from it on first use, as on Lambda.
  const index = await import('../../../functions/database-manager/index');
  handler = index.handler;
  closeManager = () => index.getManager().close();
});

afterAll(async () => {
  await closeManager?.();
  await pg?.stop();
});

beforeEach(() => secretsMock.reset());

/** A provider-framework event for `Custom::SlipwayAppDatabase`. */
function cfnEvent(requestType: CustomResourceEvent['RequestType'], properties: Record<string, unknown>, extra: Partial<CustomResourceEvent> = {}): CustomResourceEvent & Record<string, unknown> {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Slipway-App-shop/abc',
    RequestId: '6b0f1a3c-0000-4000-8000-000000000000',
    LogicalResourceId: 'DatabaseB269D8BB',
    ResourceType: 'Custom::SlipwayAppDatabase',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider', ...properties },
    ...extra,
  };
}

async function state(name: string): Promise<{ database: string | null; role: boolean; iam: boolean }> {
  const [row] = await pg.query<{ database: string | null; role: boolean; iam: boolean }>(
    `SELECT (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1) AS "database",
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "role",
            EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'rds_iam' AND u.rolname = $1) AS "iam"`,
    [name],
  );
  return row;
}

async function snapshot(): Promise<string[]> {
  const rows = await pg.query<{ n: string }>(
    "SELECT 'db:' || datname || ':' || pg_get_userbyid(datdba) AS n FROM pg_database UNION ALL SELECT 'role:' || rolname FROM pg_roles ORDER BY 1",
  );
  return rows.map((r) => r.n);
}

describe('handler: direct invocations', () => {
  test('runs an action and returns what it did', async () => {
    const result = (await handler({ action: 'createDatabase', database: 'direct_app' })) as ManagerResult;
    expect(result).toMatchObject({ action: 'createDatabase', database: 'direct_app', changed: true, message: 'created database "direct_app" owned by new role "direct_app" (IAM auth)' });
    expect(await state('direct_app')).toEqual({ database: 'direct_app', role: true, iam: true });
  });

  test('an unknown action is UnknownAction listing the known ones', async () => {
    await expect(handler({ action: 'truncateEverything', database: 'x' })).rejects.toMatchObject({
      name: 'UnknownAction',
      message: 'action "truncateEverything" is not known; use one of createDatabase, dropDatabase, enableIamAuth, runSql',
    });
  });

  test('a missing action is UnknownAction', async () => {
    await expect(handler({ database: 'x' })).rejects.toMatchObject({ name: 'UnknownAction', message: expect.stringMatching(/^action missing is not known/) });
  });

  test.each([
    ['null', null],
    ['a string', 'createDatabase'],
    ['an array', [{ action: 'createDatabase', database: 'x' }]],
  ])('%s as the event is InvalidRequest with an example of a valid one', async (_label, event) => {
    await expect(handler(event)).rejects.toMatchObject({ name: 'InvalidRequest', message: 'the event must be a JSON object like {"action": "createDatabase", "database": "my_app"}' });
  });

  test('a malformed field is InvalidRequest naming it, and nothing changes', async () => {
    const before = await snapshot();
    await expect(handler({ action: 'dropDatabase', database: 'direct_app', dropOwner: 'yes' })).rejects.toMatchObject({ name: 'InvalidRequest', message: expect.stringMatching(/^dropDatabase: dropOwner: /) });
    expect(await snapshot()).toEqual(before);
  });

  test('an error that is not the manager\'s own (an AWS SDK error) comes out as DatabaseManagerError "unexpected error", and the role is rolled back', async () => {
    secretsMock.on(CreateSecretCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:CreateSecret'), { name: 'AccessDeniedException' }));
    await expect(handler({ action: 'createDatabase', database: 'denied_app', iamAuth: false })).rejects.toMatchObject({
      name: 'DatabaseManagerError',
      message: 'unexpected error: User is not authorized to perform: secretsmanager:CreateSecret',
    });
    expect(await state('denied_app')).toEqual({ database: null, role: false, iam: false });
  });
});

describe('handler: the AppDatabase custom resource', () => {
  test('Create makes the database and role; the physical ID is the database name', async () => {
    const response = await handler(cfnEvent('Create', { Database: 'shop', Owner: 'shop', IamAuth: 'true', RemovalPolicy: 'retain' }));
    expect(response).toEqual({ PhysicalResourceId: 'shop', Data: { Database: 'shop', Owner: 'shop' } });
    expect(await state('shop')).toEqual({ database: 'shop', role: true, iam: true });
  });

  test('Update with the same properties keeps the physical ID and changes nothing', async () => {
    await handler(cfnEvent('Create', { Database: 'steady', IamAuth: 'true', RemovalPolicy: 'retain' }));
    const before = await snapshot();
    const response = await handler(
      cfnEvent('Update', { Database: 'steady', IamAuth: 'true', RemovalPolicy: 'destroy' }, { PhysicalResourceId: 'steady', OldResourceProperties: { Database: 'steady', IamAuth: 'true', RemovalPolicy: 'retain' } }),
    );
    expect(response).toEqual({ PhysicalResourceId: 'steady', Data: { Database: 'steady', Owner: 'steady' } });
    expect(await snapshot()).toEqual(before);
  });

  test('Update after the database vanished re-creates it under the same physical ID', async () => {
    await handler(cfnEvent('Create', { Database: 'restored', RemovalPolicy: 'retain' }));
    await pg.query('DROP DATABASE restored');
    const response = await handler(cfnEvent('Update', { Database: 'restored', RemovalPolicy: 'retain' }, { PhysicalResourceId: 'restored' }));
    expect(response).toMatchObject({ PhysicalResourceId: 'restored' });
    expect(await state('restored')).toEqual({ database: 'restored', role: true, iam: true });
  });

  test('Update to another database name creates it under a new physical ID (CloudFormation then deletes the old one)', async () => {
    await handler(cfnEvent('Create', { Database: 'old_name', RemovalPolicy: 'retain' }));
    const response = await handler(cfnEvent('Update', { Database: 'new_name', RemovalPolicy: 'retain' }, { PhysicalResourceId: 'old_name' }));
    expect(response).toMatchObject({ PhysicalResourceId: 'new_name' });
    expect(await state('new_name')).toEqual({ database: 'new_name', role: true, iam: true });
    expect(await state('old_name')).toEqual({ database: 'old_name', role: true, iam: true });
  });

  test('Delete under the default removal policy (retain) keeps database and role', async () => {
    await handler(cfnEvent('Create', { Database: 'kept' }));
    const before = await snapshot();
    const response = await handler(cfnEvent('Delete', { Database: 'kept' }, { PhysicalResourceId: 'kept' }));
    expect(response).toEqual({ PhysicalResourceId: 'kept', Data: {} });
    expect(await snapshot()).toEqual(before);
  });

  test('Delete under RemovalPolicy destroy drops database and role, terminating connections; a repeated Delete is harmless', async () => {
    await handler(cfnEvent('Create', { Database: 'doomed', RemovalPolicy: 'destroy' }));
    const session = await pg.connect('doomed', 'doomed');
    session.on('error', () => undefined);
    const event = cfnEvent('Delete', { Database: 'doomed', RemovalPolicy: 'destroy' }, { PhysicalResourceId: 'doomed' });
    expect(await handler(event)).toEqual({ PhysicalResourceId: 'doomed', Data: {} });
    expect(await state('doomed')).toEqual({ database: null, role: false, iam: false });
    expect(await handler(event)).toEqual({ PhysicalResourceId: 'doomed', Data: {} });
    await session.end().catch(() => undefined);
  });

  test('Delete after a failed Create (the provider framework\'s marker as physical ID) drops nothing', async () => {
    const before = await snapshot();
    const marker = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
    expect(await handler(cfnEvent('Delete', { Database: 'never_made', RemovalPolicy: 'destroy' }, { PhysicalResourceId: marker }))).toEqual({ PhysicalResourceId: marker, Data: {} });
    expect(await snapshot()).toEqual(before);
  });

  test('a failing Create is reported as a named error (CloudFormation shows its message as the reason) and changes nothing', async () => {
    const before = await snapshot();
    await expect(handler(cfnEvent('Create', { Database: 'postgres"; DROP ROLE slipway_admin; --', RemovalPolicy: 'destroy' }))).rejects.toMatchObject({
      name: 'InvalidIdentifier',
      message: expect.stringContaining('database name "postgres\\"; DROP ROLE slipway_admin; --" is not allowed'),
    });
    await expect(handler(cfnEvent('Create', { Database: 'template1' }))).rejects.toMatchObject({ name: 'InvalidIdentifier', message: expect.stringContaining('reserved') });
    expect(await snapshot()).toEqual(before);
  });

  test('malformed properties are InvalidRequest naming the property', async () => {
    await expect(handler(cfnEvent('Create', { Database: 'shop2', IamAuth: 'yes' }))).rejects.toMatchObject({
      name: 'InvalidRequest',
      message: expect.stringMatching(/^AppDatabase properties: IamAuth: /),
    });
    await expect(handler(cfnEvent('Create', { RemovalPolicy: 'retain' }))).rejects.toMatchObject({ name: 'InvalidRequest', message: expect.stringMatching(/^AppDatabase properties: Database: /) });
    expect(await state('shop2')).toEqual({ database: null, role: false, iam: false });
  });

  test('the properties the AppDatabase construct synthesizes are the ones the handler acts on (create, then destroy)', async () => {
    const stack = new Stack(new App(), 'Slipway-App-contract-shop');
    new AppDatabase(stack, 'Database', {
      prefix: 'slipway',
      app: 'contract-shop',
      removalPolicy: RemovalPolicy.DESTROY,
      database: {
        name: 'main',
        serviceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
        hostname: 'localhost',
        port: '5432',
        ownerSecretPrefix: 'slipway/db/main/',
        clusterResourceId: 'cluster-ABCDEFGHIJKL',
        connections: new ec2.Connections({ defaultPort: ec2.Port.tcp(5432) }),
        adminUser: 'slipway_admin',
      },
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::SlipwayAppDatabase'));
    const created = (await handler(cfnEvent('Create', resource.Properties))) as CustomResourceResponse;
    expect(created.PhysicalResourceId).toBe('contract_shop');
    expect(await state('contract_shop')).toEqual({ database: 'contract_shop', role: true, iam: true });
    await handler(cfnEvent('Delete', resource.Properties, { PhysicalResourceId: created.PhysicalResourceId }));
    expect(await state('contract_shop')).toEqual({ database: null, role: false, iam: false });
  });

  test('a Delete that cannot drop (the role owns objects in another database) fails with RoleInUse and leaves everything', async () => {
    await handler(cfnEvent('Create', { Database: 'spread', RemovalPolicy: 'destroy' }));
    await handler(cfnEvent('Create', { Database: 'host_app', RemovalPolicy: 'retain' }));
    await pg.query('GRANT CREATE ON SCHEMA public TO spread', [], 'host_app');
    await pg.query('SET ROLE spread; CREATE TABLE spread_table (id int); RESET ROLE', [], 'host_app');
    const before = await snapshot();
    await expect(handler(cfnEvent('Delete', { Database: 'spread', RemovalPolicy: 'destroy' }, { PhysicalResourceId: 'spread' }))).rejects.toMatchObject({
      name: 'RoleInUse',
      message: expect.stringContaining('host_app'),
    });
    expect(await snapshot()).toEqual(before);
  });
});
