import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { FilterLogEventsCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import { assumeForApp, signedPost, signInAs, type SessionCredentials } from '../../../helpers/oidc-sign-in';
import { readFileSync } from 'node:fs';
import { buildEvent, ROOT, settled, startEndpoint } from './endpoint-helpers';

/**
 * People's sign-in at `slipway local serve` (lib/local/serve/sts.ts, oidc-issuer.ts, function-url.ts):
 * the local issuer's authorization code flow with PKCE, STS AssumeRoleWithWebIdentity of the people role
 * for one app, and what the session's credentials may do: the dashboard's reads of the person's apps and
 * nothing of another app, with apps named so that one is a prefix of the other (`example`,
 * `example-admin`).
 */

const WORLD = { config: path.join(ROOT, 'test/fixtures/configs/prefix-apps.json'), apps: ['example', 'example-admin'] };
const PEOPLE = [
  { id: 'ada', apps: ['example'] },
  { id: 'grace', apps: ['example-admin'] },
];

// One endpoint at a time: a served account points the handlers' shared SDK clients at itself.
describe('two apps, example and example-admin', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint(WORLD, { people: PEOPLE });
  });
  afterAll(() => endpoint.close());

  const region = () => endpoint.account.run.world.spec.region;
  const tableOf = (app: string) => endpoint.account.run.world.apps.get(app)?.table as string;
  const cfg = (credentials: SessionCredentials) => ({ endpoint: endpoint.url, region: region(), credentials, maxAttempts: 1 });

  describe('the local issuer', () => {
    test('discovery names the endpoints and PKCE S256; the JWKS has the RS256 key', async () => {
      const d = (await (await fetch(`${endpoint.url}/oidc/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(d).toMatchObject({ issuer: `${endpoint.url}/oidc`, token_endpoint: `${endpoint.url}/oidc/token`, code_challenge_methods_supported: ['S256'] });
      const jwks = (await (await fetch(`${endpoint.url}/oidc/jwks`)).json()) as { keys: { kty: string; alg: string }[] };
      expect(jwks.keys.map((k) => [k.kty, k.alg])).toEqual([['RSA', 'RS256']]);
    });

    test('the ID token names the person\'s apps as session tags', async () => {
      const token = await signInAs(endpoint, 'ada');
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(claims).toMatchObject({ sub: 'ada', aud: 'slipway-dashboard', 'https://aws.amazon.com/tags': { principal_tags: { 'slipway-app-1': ['example'] } } });
    });

    test('a wrong PKCE verifier is refused by the token endpoint (invalid_grant)', async () => {
      const auth = new URL(`${endpoint.url}/oidc/authorize`);
      const challenge = 'x'.repeat(43);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'slipway-dashboard', redirect_uri: 'http://127.0.0.1:9/cb', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'ada' })) auth.searchParams.set(k, v);
      const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location') as string).searchParams.get('code') as string;
      const res = await fetch(`${endpoint.url}/oidc/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9/cb', client_id: 'slipway-dashboard', code_verifier: 'y'.repeat(43) }) });
      expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, 'invalid_grant']);
    });

    test('without login_hint the authorization endpoint answers a login form listing the people', async () => {
      const auth = new URL(`${endpoint.url}/oidc/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'slipway-dashboard', redirect_uri: 'http://127.0.0.1:9/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })) auth.searchParams.set(k, v);
      const html = await (await fetch(auth)).text();
      expect(html).toContain('<option value="ada">');
      expect(html).toContain('<option value="grace">');
    });
  });

  describe('AssumeRoleWithWebIdentity', () => {
    test('a session for the person\'s app: credentials whose caller is the people role\'s session app-<app>', async () => {
      const creds = await assumeForApp(endpoint, await signInAs(endpoint, 'ada'), 'example');
      const id = await new STSClient(cfg(creds)).send(new GetCallerIdentityCommand({}));
      expect(id.Arn).toBe(`arn:aws:sts::123456789012:assumed-role/slipway-people/app-example`);
      expect(creds.expiration && creds.expiration.getTime() - Date.now()).toBeGreaterThan(3500_000);
    });

    test('a session for an app the token does not tag is AccessDenied (the trust policy), even a prefix-sharing one', async () => {
      const token = await signInAs(endpoint, 'ada');
      await expect(assumeForApp(endpoint, token, 'example-admin')).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(assumeForApp(endpoint, token, 'example', 'ada')).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    test('a token that is not the issuer\'s, or altered, is InvalidIdentityToken', async () => {
      const token = await signInAs(endpoint, 'ada');
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims['https://aws.amazon.com/tags'] = { principal_tags: { 'slipway-app-1': ['example-admin'] } };
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      await expect(assumeForApp(endpoint, forged, 'example-admin')).rejects.toMatchObject({ name: 'InvalidIdentityTokenException' }); // the wire code InvalidIdentityToken, as the SDK names it
    });

    test('an expired token is ExpiredTokenException', async () => {
      const token = endpoint.people.issuer.idToken({ id: 'ada', apps: ['example'] }, { now: Date.now() - 7200_000 });
      await expect(assumeForApp(endpoint, token, 'example')).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    });
  });

  describe('a session of app example reads example and nothing of example-admin', () => {
    let creds: SessionCredentials;
    beforeAll(async () => {
      creds = await assumeForApp(endpoint, await signInAs(endpoint, 'ada'), 'example');
    });

    test('DynamoDB: its table yes, the other app\'s table AccessDeniedException', async () => {
      const db = new DynamoDBClient(cfg(creds));
      await expect(db.send(new GetItemCommand({ TableName: tableOf('example'), Key: { pk: { S: 'APP' }, sk: { S: 'CURRENT' } } }))).resolves.toBeDefined();
      await expect(db.send(new GetItemCommand({ TableName: tableOf('example-admin'), Key: { pk: { S: 'APP' }, sk: { S: 'CURRENT' } } }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });

    test('ECS: its services yes, example-admin--web AccessDeniedException', async () => {
      const ecs = new ECSClient(cfg(creds));
      await expect(ecs.send(new DescribeServicesCommand({ cluster: 'slipway-production', services: ['example--web'] }))).resolves.toBeDefined();
      await expect(ecs.send(new DescribeServicesCommand({ cluster: 'slipway-production', services: ['example--web', 'example-admin--web'] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });

    test('Parameter Store: its config path yes, the other app\'s config AccessDeniedException', async () => {
      const ssm = new SSMClient(cfg(creds));
      await expect(ssm.send(new GetParametersByPathCommand({ Path: '/slipway/apps/example/config' }))).resolves.toBeDefined();
      await expect(ssm.send(new GetParametersByPathCommand({ Path: '/slipway/apps/example-admin/config' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(ssm.send(new GetParameterCommand({ Name: '/slipway/apps/example-admin/settings' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(ssm.send(new GetParametersByPathCommand({ Path: '/slipway/apps' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });

    test('CloudWatch Logs: its log group yes, the other app\'s AccessDeniedException', async () => {
      const logs = new CloudWatchLogsClient(cfg(creds));
      await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/slipway/apps/example' }))).resolves.toBeDefined();
      await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/slipway/apps/example-admin' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });

    test('anything the people role does not grant (Step Functions) is AccessDeniedException', async () => {
      const sfn = new SFNClient(cfg(creds));
      await expect(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:slipway-production-deploy:example--1-deploy' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    });

    test('the actions function refuses another app (WrongApp) and a call not signed with a person\'s session (NotAPersonSession)', async () => {
      const wrong = await signedPost(endpoint.people.actionsUrl, { action: 'rollback', app: 'example-admin', dryRun: true }, creds, region());
      expect([wrong.status, wrong.body.error]).toEqual([403, 'WrongApp']);
      const dummy = await signedPost(endpoint.people.actionsUrl, { action: 'rollback', app: 'example', dryRun: true }, { accessKeyId: 'test', secretAccessKey: 'test' }, region());
      expect([dummy.status, dummy.body.error]).toEqual([403, 'NotAPersonSession']);
      const unsigned = await fetch(endpoint.people.actionsUrl, { method: 'POST', body: '{}' });
      expect(unsigned.status).toBe(403);
    });
  });

  test('config.json names the issuer, the people role, the tag keys and the actions URL of this endpoint', async () => {
    const c = (await (await fetch(`${endpoint.url}/config.json`)).json()) as Record<string, unknown>;
    expect(c).toEqual({
      region: 'us-east-1',
      prefix: 'slipway',
      endpoint: endpoint.url,
      signIn: { issuer: `${endpoint.url}/oidc`, clientId: 'slipway-dashboard', scopes: ['openid', 'profile', 'email'] },
      roleArn: 'arn:aws:iam::123456789012:role/slipway-people',
      appTags: { claim: 'https://aws.amazon.com/tags', tagKeys: ['slipway-app-1', 'slipway-app-2', 'slipway-app-3', 'slipway-app-4', 'slipway-app-5'] },
      actionsUrl: `${endpoint.url}/lambda-url/dashboard-actions/`,
    });
  });
});

describe('the actions function through serve: a failed release redriven from the dashboard continues', () => {
  let served: LocalEndpoint;
  beforeAll(async () => {
    served = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } }, release: { exitCode: 1 } }, { speed: 200 });
    await fetch(`${served.url}/_slipway/events`, { method: 'POST', body: JSON.stringify(buildEvent(44)) });
    await settled(served);
  });
  afterAll(() => served.close());

  test('dry run: the plan names the failed step, nothing is redriven; then the redrive runs the release again and the deploy follows', async () => {
    const creds = await assumeForApp(served, await signInAs(served, 'example-dev'), 'example');
    const release = () => served.account.run.executions.find((e) => e.name === 'example--44-release');
    expect(release()?.status).toBe('FAILED');
    const plan = await signedPost(served.people.actionsUrl, { action: 'redrive', app: 'example', build: '44', dryRun: true }, creds, 'us-east-1');
    expect(plan.status).toBe(200);
    expect(plan.body.started).toBeUndefined();
    expect(String(plan.body.plan)).toMatch(/^Will redrive example--44-release \(release\): Step Functions re-runs .*Run release task/);
    expect(release()?.redriveCount ?? 0).toBe(0);
    const fix = await fetch(`${served.url}/_slipway/world`, { method: 'POST', body: readFileSync(path.join(ROOT, 'test/fixtures/serve/release-fixed.json'), 'utf8') });
    expect(fix.status).toBe(200);
    const done = await signedPost(served.people.actionsUrl, { action: 'redrive', app: 'example', build: '44' }, creds, 'us-east-1');
    expect([done.status, done.body.started]).toEqual([200, release()?.arn]);
    await settled(served);
    expect([release()?.status, release()?.redriveCount]).toEqual(['SUCCEEDED', 1]);
    expect(served.account.run.executions.find((e) => e.name === 'example--44-deploy')?.status).toBe('SUCCEEDED');
  });

  test('a second redrive of the succeeded release is refused (CannotProceed, 409)', async () => {
    const creds = await assumeForApp(served, await signInAs(served, 'example-dev'), 'example');
    const again = await signedPost(served.people.actionsUrl, { action: 'redrive', app: 'example', build: '44' }, creds, 'us-east-1');
    expect([again.status, again.body.error]).toEqual([409, 'CannotProceed']);
  });
});
