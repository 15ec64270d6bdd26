/**
 * The real `slipway` CLI (bin/slipway.js) in a child process, against a fake AWS endpoint on 127.0.0.1
 * (AWS_ENDPOINT_URL): wiring, exit codes, --json output and the one-line error.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { appsOutputSchema, errorOutputSchema, pipelinesOutputSchema, statusOutputSchema } from '../../../lib/ops/schemas';
import { fixtureHistory } from '../ops/aws-fixtures';
import { ACCOUNT, DEPLOY_MAP, DEPLOY_TASK, deployIterationFailed, execArn, REGION, ROLLBACK_CAUSE, T0 } from '../ops/histories';
import { settingsFor, settingsParameter, tableOf } from '../ops/settings-fixtures';
import { lines, runSlipway } from './child-cli';

const DEPLOY_42 = execArn('deploy', 'example--42-deploy');
const TABLE = tableOf('example');

type Handler = (body: Record<string, unknown>) => { status?: number; body: unknown };
let routes: Record<string, Handler> = {};
const calls: string[] = [];
let server: Server;
let endpoint = '';

const epoch = (d?: Date) => (d ? d.getTime() / 1000 : undefined);
const wireEvent = (e: HistoryEvent) => ({ ...e, timestamp: epoch(e.timestamp) });

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target ? target.slice(target.indexOf('.') + 1) : (/Action=(\w+)/.exec(data)?.[1] ?? 'unknown');
      calls.push(op);
      if (op === 'GetCallerIdentity' && !target) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/oncall</Arn><UserId>AIDA</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
        return;
      }
      const handler = routes[op];
      const out = handler ? handler(JSON.parse(data || '{}')) : { status: 400, body: { __type: 'UnknownOperationException', message: `no route for ${op}` } };
      res.writeHead(out.status ?? 200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  calls.length = 0;
  // Two apps are deployed: their settings parameters, as SSM GetParameter answers (ParameterNotFound for any other).
  const deployed: Record<string, unknown> = { example: settingsFor('example'), 'example-admin': settingsFor('example-admin') };
  routes = {
    GetCallerIdentity: () => ({ body: { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/oncall`, UserId: 'AIDA' } }),
    GetParameter: (body) => {
      const app = Object.keys(deployed).find((a) => settingsParameter(a) === body.Name);
      if (!app) return { status: 400, body: { __type: 'ParameterNotFound', message: '' } };
      return { body: { Parameter: { Name: body.Name, Type: 'String', Value: JSON.stringify(deployed[app]), Version: 1, ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${String(body.Name)}` } } };
    },
  };
});

/** Runs `slipway <args>`; returns its exit code and output lines. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const run = await runSlipway(args, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NODE_NO_WARNINGS: '1', AWS_PROFILE: '' });
  return { code: run.code, out: run.stdout, err: lines(run.stderr) };
}

describe('slipway pipeline commands (child process)', () => {
  test("pipelines --json prints the schema-valid listing and exits 0, reading the table its settings parameter names", async () => {
    const tables: unknown[] = [];
    routes.Query = (body) => (tables.push(body.TableName), { body: { Items: [], Count: 0 } });
    routes.GetItem = (body) => (tables.push(body.TableName), { body: {} });

    const result = await cli('pipelines', 'example', '--json', '--limit', '3');

    expect(result.code).toBe(0);
    expect(pipelinesOutputSchema.parse(JSON.parse(result.out))).toEqual({ app: 'example', region: REGION, account: ACCOUNT, currentRelease: null, builds: [] });
    expect(calls).toEqual(['GetParameter', 'Query', 'GetItem']);
    expect(tables).toEqual([TABLE, TABLE]);
  });

  test('status of a failed execution prints the failure and exits 1', async () => {
    const events = deployIterationFailed().events.map(wireEvent);
    routes.DescribeExecution = () => ({ body: { executionArn: DEPLOY_42, stateMachineArn: 'sm', name: 'example--42-deploy', status: 'FAILED', startDate: epoch(T0), stopDate: T0.getTime() / 1000 + 300, error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, redriveStatus: 'REDRIVABLE' } });
    routes.GetExecutionHistory = (body) => {
      const from = body.nextToken ? Number(String(body.nextToken).slice(1)) : 0;
      return { body: { events: events.slice(from, from + 25), ...(from + 25 < events.length ? { nextToken: `t${from + 25}` } : {}) } };
    };
    routes.GetFunctionConfiguration = () => ({ status: 403, body: { __type: 'AccessDeniedException', message: 'denied' } });

    const human = await cli('status', DEPLOY_42);
    const json = await cli('status', DEPLOY_42, '--json');

    expect(human.code).toBe(1);
    expect(human.out).toContain(`failed at: ${DEPLOY_TASK} (${DEPLOY_MAP} #0 web)`);
    expect(human.out).toContain(`redrive: possible — re-runs "${DEPLOY_TASK}" (${DEPLOY_MAP} #0 web)`);
    expect(json.code).toBe(1);
    expect(statusOutputSchema.parse(JSON.parse(json.out)).failure?.error).toBe('DeploymentRolledBack');
    expect(calls.filter((c) => c === 'GetExecutionHistory')).toHaveLength(2 * Math.ceil(events.length / 25));
  });

  test('redrive of a Fail-state outcome: one line that says why and what helps, exit 1, no RedriveExecution', async () => {
    // The recorded catch-to-Fail history (03) as our deploy: the claim failed, a newer build holds the app.
    const events = fixtureHistory('03-task-catch-to-fail', {
      rename: { GetMissingObject: 'Claim the app for this build', KeyMissing: 'A newer build holds the app', Done: 'Claimed' },
      errors: { GetMissingObject: 'DynamoDB.ConditionalCheckFailedException' },
      executionFailed: { error: 'DeploymentSuperseded', cause: 'build 43 holds the app' },
    }).map(wireEvent);
    routes.DescribeExecution = () => ({ body: { executionArn: DEPLOY_42, stateMachineArn: 'sm', name: 'example--42-deploy', status: 'FAILED', startDate: epoch(T0), stopDate: T0.getTime() / 1000 + 60, error: 'DeploymentSuperseded', redriveStatus: 'REDRIVABLE' } });
    routes.GetExecutionHistory = () => ({ body: { events } });
    routes.RedriveExecution = () => ({ body: { redriveDate: epoch(T0) } });

    const result = await cli('redrive', DEPLOY_42);

    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: CannotProceed: example--42-deploy was not redriven: redrive would not help: a newer build holds the app .*\. Instead: .*slipway deploy example --build 42 --force$/);
    expect(calls).not.toContain('RedriveExecution');
  });

  test('access denied is one line on stderr, exit 1, and the error document with --json', async () => {
    routes.DescribeExecution = () => ({ status: 400, body: { __type: 'com.amazonaws.swf.base.model#AccessDeniedException', message: `User: arn:aws:iam::${ACCOUNT}:user/oncall is not authorized to perform: states:DescribeExecution` } });

    const result = await cli('redrive', DEPLOY_42, '--json');

    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: AccessDenied: access denied: Step Functions DescribeExecution arn:aws:states:eu-west-1:123456789012:execution:slipway-production-deploy:example--42-deploy: User: .* is not authorized/);
    expect(errorOutputSchema.parse(JSON.parse(result.out)).error).toBe('AccessDenied');
    expect(calls).not.toContain('RedriveExecution');
  });

  test('an app with no settings parameter: NotFound, exit 1, saying it is not deployed here', async () => {
    const result = await cli('pipelines', 'nope');

    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^error: NotFound: app "nope" is not deployed in region eu-west-1: there is no settings parameter \/slipway\/apps\/nope\/settings\. Deploy its app stack/);
    expect(calls).toEqual(['GetParameter']);
  });

  test("status --app example of example-admin's execution: WrongApp, exit 1, no history read", async () => {
    const arn = execArn('deploy', 'example-admin--42-deploy');
    routes.DescribeExecution = () => ({ body: { executionArn: arn, stateMachineArn: 'sm', name: 'example-admin--42-deploy', status: 'FAILED', startDate: epoch(T0), input: '{"app":"example-admin"}' } });

    const result = await cli('redrive', arn, '--app', 'example', '--json');

    expect(result.code).toBe(1);
    expect(errorOutputSchema.parse(JSON.parse(result.out))).toMatchObject({ error: 'WrongApp' });
    expect(result.err[0]).toMatch(/^error: WrongApp: execution example-admin--42-deploy belongs to app "example-admin", not "example"/);
    expect(calls).not.toContain('GetExecutionHistory');
    expect(calls).not.toContain('RedriveExecution');
  });

  test('apps --json lists the deployed apps from their settings parameters; an invalid one is listed apart', async () => {
    const parameter = (name: string, value: string) => ({ Name: name, Type: 'String', Value: value, Version: 1 });
    const requests: Record<string, unknown>[] = [];
    routes.GetParametersByPath = (body) => {
      requests.push(body);
      return body.NextToken
        ? { body: { Parameters: [parameter(settingsParameter('example'), JSON.stringify(settingsFor('example'))), parameter('/slipway/apps/example/schedules', '[]')] } }
        : { body: { Parameters: [parameter(settingsParameter('web-admin'), JSON.stringify(settingsFor('web-admin', { controlPlane: 'staging' }))), parameter(settingsParameter('broken'), '{')], NextToken: 'n' } };
    };

    const result = await cli('apps', '--json');
    const human = await cli('apps');

    expect(result.code).toBe(0);
    const out = appsOutputSchema.parse(JSON.parse(result.out));
    expect(out.apps.map((a) => [a.app, a.controlPlane, a.cluster, a.processes.join(',')])).toEqual([
      ['example', 'production', 'slipway-production', 'web,worker'],
      ['web-admin', 'staging', 'slipway-production', 'web,worker'],
    ]);
    expect(out.invalid).toEqual([{ parameter: '/slipway/apps/broken/settings', error: expect.stringContaining('is not JSON') }]);
    expect(requests[0]).toMatchObject({ Path: '/slipway/apps', Recursive: true, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['String'] }] });
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^2 apps under slipway in eu-west-1\nAPP +CONTROL PLANE +CLUSTER +PROCESSES\nexample +production +slipway-production +web,worker\n/);
  });

  test('usage errors exit 2: a missing --build, a malformed ARN, a bad --limit', async () => {
    const missing = await cli('deploy', 'example');
    const badArn = await cli('status', 'arn:aws:states:nowhere');
    const badLimit = await cli('pipelines', 'example', '--limit', 'many');

    expect([missing.code, badArn.code, badLimit.code]).toEqual([2, 2, 2]);
    expect(badArn.err).toEqual(['error: UsageError: "arn:aws:states:nowhere" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)']);
    expect(calls).toEqual([]);
  });
});

describe('slipway logs (child process)', () => {
  test('logs --json: the settings parameter names the log group; every FilterLogEvents page, one event per line', async () => {
    routes.GetItem = () => ({ body: {} });
    const requests: Record<string, unknown>[] = [];
    routes.FilterLogEvents = (body) => {
      requests.push(body);
      const line = (id: string, message: string) => ({ eventId: id, logStreamName: 'web/web/abc123', timestamp: Date.now() - 1000, message });
      return { body: body.nextToken ? { events: [line('2', 'second')] } : { events: [line('1', 'first \u001b[2J')], nextToken: 'n' } };
    };

    const result = await cli('logs', 'example', 'web', '--json', '--since', '10m');

    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(['first \u001b[2J', 'second']);
    expect(requests[0]).toMatchObject({ logGroupName: '/slipway/apps/example', logStreamNamePrefix: 'web/' });
    expect(calls.filter((c) => c === 'FilterLogEvents')).toHaveLength(2);
  });
});
