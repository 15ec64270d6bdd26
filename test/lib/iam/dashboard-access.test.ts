import * as path from 'node:path';
import { PEOPLE_APP_TAG_KEYS, peopleRoleName, peopleSessionName } from '../../../domain';
import { loadDeployment, type RolePrincipal } from '../../helpers/iam/deployment';
import { decide, failingCases, type IamCase, type IamRequest } from '../../helpers/iam/evaluate';
import { arnOf, parameterArn, resourceTags } from '../../helpers/iam/targets';

/**
 * The people role (lib/constructs/dashboard-access.ts), evaluated as AWS evaluates it: its trust policy
 * with the token's session tags, and its policies with a session's principal tags. Apps `example` and
 * `example-admin` (one a prefix of the other) in one account: a person of `example` may read example's
 * records, services, logs and config and call the actions function, and nothing of example-admin.
 */

const CONFIG = path.join(__dirname, '..', '..', 'fixtures', 'configs', 'sign-in.json');
const d = loadDeployment(CONFIG);
const role = [...d.roles.values()].find((r) => r.arn.endsWith(`:role/${peopleRoleName(d.config.prefix)}`)) as RolePrincipal;
const policies = { identity: role.policies };
const A = 'example';
const B = 'example-admin';
const session = (app: string) => `arn:aws:sts::123456789012:assumed-role/${peopleRoleName(d.config.prefix)}/${peopleSessionName(app)}`;
/** The context of a request by a person whose token tags these apps (slot order). */
const tags = (...apps: string[]) => Object.fromEntries(apps.map((a, i) => [`aws:PrincipalTag/${PEOPLE_APP_TAG_KEYS[i]}`, a]));
const table = (app: string) => d.apps.get(app)?.tableArn as string;
const actionsArn = arnOf('lambda', 'function:slipway-dashboard-actions');

function reads(app: string): { name: string; action: string; resource: string; context?: Record<string, string> }[] {
  return [
    { name: 'GetItem on its table', action: 'dynamodb:GetItem', resource: table(app), context: Object.fromEntries(Object.entries(resourceTags(d, table(app))).filter(([k]) => k === 'aws:ResourceTag/slipway:app')) },
    { name: 'Query on its table', action: 'dynamodb:Query', resource: table(app), context: Object.fromEntries(Object.entries(resourceTags(d, table(app))).filter(([k]) => k === 'aws:ResourceTag/slipway:app')) },
    { name: 'DescribeServices web', action: 'ecs:DescribeServices', resource: arnOf('ecs', `service/slipway-production/${app}--web`) },
    // The log group's ARN without `:*` (the evaluator does not match a policy variable followed by `:*`
    // against a request ARN ending in `:*`; the policy grants both forms).
    { name: 'FilterLogEvents', action: 'logs:FilterLogEvents', resource: arnOf('logs', `log-group:/slipway/apps/${app}`) },
    { name: 'GetLogEvents of a build', action: 'logs:GetLogEvents', resource: arnOf('logs', `log-group:/slipway/apps/${app}/builds:log-stream:abc`) },
    { name: 'GetParametersByPath config', action: 'ssm:GetParametersByPath', resource: parameterArn(`/slipway/apps/${app}/config`) },
    { name: 'GetParameter a config key', action: 'ssm:GetParameter', resource: parameterArn(`/slipway/apps/${app}/config/DATABASE_URL`) },
    { name: 'GetParameter settings', action: 'ssm:GetParameter', resource: parameterArn(`/slipway/apps/${app}/settings`) },
  ];
}

const request = (principalApp: string, tagged: string[], r: { action: string; resource: string; context?: Record<string, string> }): IamRequest => ({
  principal: session(principalApp),
  action: r.action,
  resource: r.resource,
  context: { ...tags(...tagged), ...(r.context ?? {}) },
});

test('the role is the one people role, with one policy per app slot', () => {
  expect(role).toBeDefined();
  expect(role.policies).toHaveLength(PEOPLE_APP_TAG_KEYS.length);
});

test('a person of example: every dashboard read of example is allowed', async () => {
  const cases: IamCase[] = reads(A).map((r) => ({ name: `A: ${r.name}`, request: request(A, [A], r), policies, expect: 'Allowed' }));
  expect(await failingCases(cases)).toEqual([]);
});

test('a person of example: every read of example-admin (the prefix-sharing app) is denied', async () => {
  const cases: IamCase[] = reads(B).map((r) => ({ name: `A on B: ${r.name}`, request: request(A, [A], r), policies, expect: 'Denied' }));
  expect(await failingCases(cases)).toEqual([]);
});

test('and the other way round: a person of example-admin is denied example, allowed example-admin', async () => {
  const cases: IamCase[] = [
    ...reads(A).map((r): IamCase => ({ name: `B on A: ${r.name}`, request: request(B, [B], r), policies, expect: 'Denied' })),
    ...reads(B).map((r): IamCase => ({ name: `B: ${r.name}`, request: request(B, [B], r), policies, expect: 'Allowed' })),
  ];
  expect(await failingCases(cases)).toEqual([]);
});

test('a person of both apps (two slots) reads both; slot 5 works like slot 1', async () => {
  const cases: IamCase[] = [
    ...reads(A).map((r): IamCase => ({ name: `AB: ${r.name}`, request: request(A, [A, B], r), policies, expect: 'Allowed' })),
    ...reads(B).map((r): IamCase => ({ name: `AB on B: ${r.name}`, request: request(A, [A, B], r), policies, expect: 'Allowed' })),
    ...reads(B).map((r): IamCase => ({ name: `slot 5: ${r.name}`, request: { ...request(B, [], r), context: { [`aws:PrincipalTag/${PEOPLE_APP_TAG_KEYS[4]}`]: B, ...(r.context ?? {}) } }, policies, expect: 'Allowed' })),
  ];
  expect(await failingCases(cases)).toEqual([]);
});

test('the actions function URL: allowed with IAM auth; nothing on Step Functions or another function', async () => {
  const cases: IamCase[] = [
    { name: 'InvokeFunctionUrl', request: { principal: session(A), action: 'lambda:InvokeFunctionUrl', resource: actionsArn, context: { ...tags(A), 'lambda:FunctionUrlAuthType': 'AWS_IAM' } }, policies, expect: 'Allowed' },
    { name: 'InvokeFunctionUrl of another function', request: { principal: session(A), action: 'lambda:InvokeFunctionUrl', resource: arnOf('lambda', 'function:slipway-production-update-service'), context: { ...tags(A), 'lambda:FunctionUrlAuthType': 'AWS_IAM' } }, policies, expect: 'Denied' },
    { name: 'RedriveExecution', request: { principal: session(A), action: 'states:RedriveExecution', resource: arnOf('states', 'execution:slipway-production-release:example--42-release'), context: tags(A) }, policies, expect: 'Denied' },
    { name: 'PutParameter', request: { principal: session(A), action: 'ssm:PutParameter', resource: parameterArn('/slipway/apps/example/config/X'), context: tags(A) }, policies, expect: 'Denied' },
    { name: 'a session with no app tag reads nothing', request: { principal: session(A), action: 'ssm:GetParameter', resource: parameterArn('/slipway/apps/example/settings') }, policies, expect: 'Denied' },
  ];
  expect(await failingCases(cases)).toEqual([]);
});

describe('the trust policy', () => {
  const provider = `arn:aws:iam::123456789012:oidc-provider/login.example.com`;
  const assume = (sessionName: string, tagged: string[], action = 'sts:AssumeRoleWithWebIdentity'): IamRequest => ({
    principal: provider,
    action,
    resource: role.arn,
    context: { 'sts:RoleSessionName': sessionName, ...Object.fromEntries(tagged.map((a, i) => [`aws:RequestTag/${PEOPLE_APP_TAG_KEYS[i]}`, a])) },
  });
  type Statement = { Action: string | string[]; Principal?: { Federated?: unknown }; Condition?: Record<string, Record<string, unknown>> };
  const statements = role.trust.Statement as unknown as Statement[];

  test('only the configured client: <provider>:aud is the client id, on every statement (checked as text: the evaluator\'s data cannot name a provider\'s keys)', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const st of statements) {
      expect(st.Principal?.Federated).toBe(provider);
      expect(st.Condition?.StringEquals?.['login.example.com:aud']).toBe('slipway-dashboard-example');
    }
  });

  // The rest of the trust policy, evaluated: the <provider>:aud condition left out (asserted above).
  const withoutAud = { identity: [], resource: { ...role.trust, Statement: statements.map((st) => ({ ...st, Condition: { ...st.Condition, StringEquals: Object.fromEntries(Object.entries(st.Condition?.StringEquals ?? {}).filter(([k]) => k !== 'login.example.com:aud')) } })) } as unknown as typeof role.trust };

  test('a session named after an app the token tags is allowed, with its session tags; another name is denied', async () => {
    expect(await decide(assume('app-example', [A]), withoutAud)).toBe('Allowed');
    expect(await decide(assume('app-example-admin', [B, A]), withoutAud)).toBe('Allowed');
    expect(await decide(assume('app-example-admin', [A]), withoutAud)).not.toBe('Allowed');
    expect(await decide(assume('app-example', [B]), withoutAud)).not.toBe('Allowed');
    expect(await decide(assume('app-example', []), withoutAud)).not.toBe('Allowed');
    expect(await decide(assume('ada', [A]), withoutAud)).not.toBe('Allowed');
  });
});

describe('the actions function\'s role', () => {
  const fnRole = [...d.roles.values()].find((r) => r.policies.some((p) => p.policy.Statement.some((s) => s.Sid === 'ReadAndRedriveExecutions'))) as RolePrincipal;
  const fnPolicies = { identity: fnRole.policies };
  const ask = (action: string, resource: string, context: Record<string, string> = {}): IamRequest => ({ principal: fnRole.arn, action, resource, context });
  const appTableTags = (app: string) => Object.fromEntries(Object.entries(resourceTags(d, table(app))).filter(([k]) => k === 'aws:ResourceTag/slipway:control-plane'));

  test('reads settings, app tables of its control plane, executions; redrives them and starts deploys; nothing else', async () => {
    const cases: IamCase[] = [
      { name: 'settings', request: ask('ssm:GetParameter', parameterArn('/slipway/apps/example-admin/settings')), policies: fnPolicies, expect: 'Allowed' },
      { name: 'a config key named settings', request: ask('ssm:GetParameter', parameterArn('/slipway/apps/example/config/settings')), policies: fnPolicies, expect: 'ExplicitlyDenied' },
      { name: 'a config value', request: ask('ssm:GetParameter', parameterArn('/slipway/apps/example/config/DATABASE_URL')), policies: fnPolicies, expect: 'Denied' },
      { name: 'the app table', request: ask('dynamodb:Query', table(A), appTableTags(A)), policies: fnPolicies, expect: 'Allowed' },
      { name: 'a write to the app table', request: ask('dynamodb:PutItem', table(A), appTableTags(A)), policies: fnPolicies, expect: 'Denied' },
      { name: 'redrive a release', request: ask('states:RedriveExecution', arnOf('states', 'execution:slipway-production-release:example--42-release')), policies: fnPolicies, expect: 'Allowed' },
      { name: 'redrive an execution of another state machine', request: ask('states:RedriveExecution', arnOf('states', 'execution:other-machine:example--42-release')), policies: fnPolicies, expect: 'Denied' },
      { name: 'start a deploy', request: ask('states:StartExecution', arnOf('states', 'stateMachine:slipway-production-deploy')), policies: fnPolicies, expect: 'Allowed' },
      { name: 'start a release', request: ask('states:StartExecution', arnOf('states', 'stateMachine:slipway-production-release')), policies: fnPolicies, expect: 'Denied' },
      { name: 'stop an execution', request: ask('states:StopExecution', arnOf('states', 'execution:slipway-production-deploy:example--42-deploy')), policies: fnPolicies, expect: 'Denied' },
    ];
    expect(fnRole).toBeDefined();
    expect(await failingCases(cases)).toEqual([]);
  });
});
