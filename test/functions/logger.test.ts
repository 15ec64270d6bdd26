/**
 * The handlers log through Powertools with the invocation's Lambda context: every line carries the
 * request id and the function, and the level is read by Powertools from the environment.
 */
const CONTEXT = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'slipway-check-release-task',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:slipway-check-release-task',
  memoryLimitInMB: '256',
};
const task = { TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/slipway/0f1e', LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', Containers: [{ Name: 'web', ExitCode: 0 }] };
const release = { containerName: 'web', essentialContainers: ['web'], logGroup: '/slipway/example/web', region: 'eu-west-1' };

/** The JSON lines a fresh copy of the check-release-task handler writes to stdout for one invocation, with `env` set. */
async function linesOf(env: Record<string, string | undefined>, context?: typeof CONTEXT): Promise<Record<string, unknown>[]> {
  const saved = { ...process.env };
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    let handler: ((event: unknown, context?: typeof CONTEXT) => Promise<unknown>) | undefined;
    jest.isolateModules(() => {
      handler = (require('../../functions/check-release-task') as typeof import('../../functions/check-release-task')).handler;
    });
    await handler!({ app: 'example', task, release }, context);
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
  return written.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

const quietDefaults = { POWERTOOLS_LOG_LEVEL: undefined, LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: undefined, POWERTOOLS_DEV: undefined };

test('with the Lambda context, every line names the request id and the function', async () => {
  const lines = await linesOf({ ...quietDefaults }, CONTEXT);

  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatchObject({ service: 'check-release-task', function_request_id: CONTEXT.awsRequestId, function_name: CONTEXT.functionName });
  }
  expect(lines.map((l) => l.message)).toContain('release task verdict');
});

test('LOG_LEVEL is read by Powertools: WARN leaves out the INFO lines, POWERTOOLS_LOG_LEVEL comes first', async () => {
  expect(await linesOf({ ...quietDefaults, LOG_LEVEL: 'WARN' }, CONTEXT)).toEqual([]);
  expect((await linesOf({ ...quietDefaults, LOG_LEVEL: 'WARN', POWERTOOLS_LOG_LEVEL: 'INFO' }, CONTEXT)).length).toBeGreaterThan(0);
});

test('without a context (a direct call), lines go without a request id', async () => {
  const lines = await linesOf({ ...quietDefaults });

  expect(lines.length).toBeGreaterThan(0);
  expect(lines[0]).not.toHaveProperty('function_request_id');
});
