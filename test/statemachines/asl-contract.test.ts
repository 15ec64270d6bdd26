import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { inputSchema as updateServiceSchema } from '../../functions/update-service/index';
import { aslPath } from '../../lib/asl';
import { STATE_MACHINES } from '../../domain/pipelines';
import { capturePayloads, contractProblems, documentedDefaults, lambdaTasks, type CapturedPayload, type LambdaTask } from '../helpers/asl-contract';
import { CONTRACT } from '../helpers/asl-contract-handlers';
import { PAYLOAD_SCENARIOS } from './asl-payload-scenarios';
import { ROOT } from './scenarios';

/**
 * The contract between each ASL file and the handlers it invokes (issue 22): for every Lambda task of
 * every state machine, every field the handler's schema reads is one the payload the real ASL sends
 * passes, or is optional with its default in the schema (`_default`) or in its TSDoc (`@default`).
 * The payloads are captured from local runs of the real ASL files over the scenario worlds
 * (./asl-payload-scenarios.ts).
 */

const TASKS: LambdaTask[] = STATE_MACHINES.flatMap((m) => lambdaTasks(m, JSON.parse(readFileSync(aslPath(ROOT, m), 'utf8'))));
const key = (t: { machine: string; state: string }) => `${t.machine} / ${t.state}`;

const captured: CapturedPayload[] = [];

beforeAll(async () => {
  const stop = capturePayloads(captured);
  try {
    for (const scenario of Object.values(PAYLOAD_SCENARIOS)) await scenario({});
  } finally {
    stop();
  }
}, 120_000);

const payloadsOf = (t: LambdaTask) => captured.filter((c) => c.machine === t.machine && c.state === t.state).map((c) => c.payload);

describe('every Lambda task of every state machine has its handler side', () => {
  test('the contract names exactly the Lambda tasks of statemachines/*.asl.json', () => {
    expect(TASKS.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(CONTRACT).sort()).toEqual(TASKS.map(key).sort());
  });

  test('the scenario runs entered every Lambda task', () => {
    expect(TASKS.filter((t) => payloadsOf(t).length === 0).map(key)).toEqual([]);
  });
});

describe.each(TASKS.map((t) => [key(t), t] as const))('%s', (_name, task) => {
  const side = CONTRACT[key(task)];

  test('every field the handler reads is passed, or optional with a documented default', () => {
    const problems = contractProblems(task, side, payloadsOf(task), documentedDefaults(ROOT, side.source.file, side.source.variable));
    expect(problems).toEqual([]);
  });

  test('the handler\'s schema accepts every payload the ASL sent', () => {
    const refused = payloadsOf(task)
      .map((p) => (side.schema as z.ZodMiniType).safeParse(p))
      .filter((r) => !r.success)
      .map((r) => r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    expect(refused).toEqual([]);
  });

});

describe('the check itself reports a broken contract', () => {
  const deployTask = TASKS.find((t) => key(t) === 'deploy / Update the service and wait for its deployment') as LambdaTask;
  const side = CONTRACT[key(deployTask)];
  const docs = documentedDefaults(ROOT, side.source.file, side.source.variable);

  test('a handler field the ASL never passes, required, is reported by name', () => {
    const extended = z.extend(updateServiceSchema, { region: z.string() });
    const problems = contractProblems(deployTask, { ...side, schema: extended }, payloadsOf(deployTask), docs);
    expect(problems).toEqual([`deploy / "Update the service and wait for its deployment" -> update-service: the handler requires region, which the ASL never passes`]);
  });

  test('a nested required field the payloads lack is reported with its path', () => {
    const registerTask = TASKS.find((t) => key(t) === 'build / Register task definitions') as LambdaTask;
    const regSide = CONTRACT[key(registerTask)];
    const extended = z.object({ app: z.string(), build: z.object({ buildKey: z.string(), image: z.string(), dockerfile: z.string() }) });
    const problems = contractProblems(registerTask, { ...regSide, schema: extended }, payloadsOf(registerTask), new Map());
    expect(problems).toEqual([`build / "Register task definitions" -> register-task-definitions: the handler requires build.dockerfile, which the ASL never passes`]);
  });

  test('an optional field the ASL never passes needs a documented default', () => {
    const extended = z.extend(updateServiceSchema, { region: z.optional(z.string()) });
    expect(contractProblems(deployTask, { ...side, schema: extended }, payloadsOf(deployTask), docs)).toEqual([
      `deploy / "Update the service and wait for its deployment" -> update-service: the handler reads region, which the ASL never passes, and neither the schema (_default) nor its TSDoc (@default) says what it is then`,
    ]);
    // With the default documented (as executionArn's is), or held by the schema, it is accepted.
    expect(contractProblems(deployTask, { ...side, schema: extended }, payloadsOf(deployTask), new Map([...docs, ['region', 'the Lambda\'s AWS_REGION']]))).toEqual([]);
    expect(contractProblems(deployTask, { ...side, schema: z.extend(updateServiceSchema, { region: z._default(z.string(), 'us-east-1') }) }, payloadsOf(deployTask), docs)).toEqual([]);
  });

  test('a field passed in only some payloads may not be required', () => {
    const payloads = payloadsOf(deployTask);
    const lacking = [...payloads, { ...(payloads[0] as object), buildSortKey: undefined }];
    expect(contractProblems(deployTask, side, lacking, docs)).toEqual([]);
    const required = z.extend(updateServiceSchema, { buildSortKey: z.string() });
    expect(contractProblems(deployTask, { ...side, schema: required }, lacking, docs)).toEqual([
      `deploy / "Update the service and wait for its deployment" -> update-service: the handler requires buildSortKey, which the ASL passes only in some payloads`,
    ]);
  });

  test('a state no run entered is reported, not passed', () => {
    expect(contractProblems(deployTask, side, [], docs)).toEqual([`deploy / "Update the service and wait for its deployment" -> update-service: no payload captured (no local run entered this state)`]);
  });

  test('the TSDoc @default tags are read from the schema\'s source', () => {
    expect([...docs.keys()].sort()).toEqual(expect.arrayContaining(['buildSortKey', 'executionArn', 'now']));
    expect(docs.get('executionArn')).toContain('STATE_MACHINE_ARNS');
  });
});

describe('which tasks are Lambda tasks, and what their payload is', () => {
  const definition = {
    States: {
      Integration: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${AFunctionArn}', Payload: { action: 'x', 'app.$': '$.app' } }, Next: 'Plain' },
      Plain: { Type: 'Task', Resource: '${BFunctionArn}', Parameters: { 'app.$': '$.app', 'when.$': '$$.State.EnteredTime' }, Next: 'Whole' },
      Whole: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:c', InputPath: '$.detail', Next: 'Table' },
      Table: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 't', Key: {} }, Next: 'Each' },
      Each: { Type: 'Map', ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: '${DFunctionArn}', 'Payload.$': '$' }, End: true } } }, End: true },
    },
  };

  test('the lambda:invoke integrations and plain Lambda ARNs, nested ones included; other integrations are not', () => {
    expect(lambdaTasks('m', definition as never).map((t) => [t.state, t.functionName, t.payload])).toEqual([
      ['Integration', '${AFunctionArn}', { kind: 'fields', fields: { action: { value: 'x' }, app: { path: '$.app' } } }],
      ['Plain', '${BFunctionArn}', { kind: 'fields', fields: { app: { path: '$.app' }, when: { path: '$$.State.EnteredTime' } } }],
      ['Whole', 'arn:aws:lambda:us-east-1:123456789012:function:c', { kind: 'whole', path: '$.detail' }],
      ['Inner', '${DFunctionArn}', { kind: 'whole', path: '$' }],
    ]);
  });
});
