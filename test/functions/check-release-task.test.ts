import { awsEvent } from './helpers';
import { handler } from '../../functions/check-release-task';
import { ecsTaskObjectOfCause } from '../../domain/executions';
import { judgeError, judgeTask, type ReleaseContext } from '../../functions/shared/release-verdict';
import { logStreamLink } from '../../domain/names';

type Json = Record<string, unknown>;

const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/slipway/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ctx: ReleaseContext = { containerName: 'web', essentialContainers: ['web'], logGroup: '/slipway/example/web', region: 'eu-west-1' };
/** The CloudWatch console link of the release container's stream, written out by hand. */
const LINK = `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fslipway$252Fexample$252Fweb/log-events/web$252Fweb$252F${TASK_ID}`;

/** A stopped task as the ECS SDK (camelCase) describes it. */
function sdkTask(containers: Json[], extra: Json = {}): Json {
  return { taskArn: TASK_ARN, lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers, ...extra };
}

/** The same task as Step Functions' ecs:runTask.sync returns it (PascalCase). */
function sfnTask(containers: Json[], extra: Json = {}): Json {
  return { TaskArn: TASK_ARN, LastStatus: 'STOPPED', StopCode: 'EssentialContainerExited', StoppedReason: 'Essential container in task exited', Containers: containers, ...extra };
}

describe('logStreamLink', () => {
  it('double-encodes the group and stream the way the CloudWatch console expects', () => {
    // Act
    const link = logStreamLink('eu-west-1', '/slipway/example/web', `web/web/${TASK_ID}`);

    // Assess
    expect(link).toBe(LINK);
  });
});

describe('ecsTaskObjectOfCause (domain/executions.ts)', () => {
  it('reads a task out of a JSON Cause', () => {
    // Prepare
    const task = sfnTask([{ Name: 'web', ExitCode: 1 }]);

    // Act
    const found = ecsTaskObjectOfCause(JSON.stringify(task));

    // Assess
    expect(found).toEqual(task);
  });

  it.each([
    ['a plain message', 'Capacity is unavailable at this time.'],
    ['JSON without a task', JSON.stringify({ message: 'AccessDenied' })],
    ['a JSON array', JSON.stringify([{ taskArn: TASK_ARN }])],
    ['a non-string', { taskArn: TASK_ARN }],
  ])('returns undefined for %s', (_label, cause) => {
    // Act
    const found = ecsTaskObjectOfCause(cause);

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('judgeTask', () => {
  it('accepts a release command that exited 0', () => {
    // Act
    const verdict = judgeTask(sdkTask([{ name: 'web', exitCode: 0 }]), ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: true, taskArn: TASK_ARN, logStream: `web/web/${TASK_ID}`, logLink: LINK });
    expect(verdict.error).toBeUndefined();
  });

  it('fails a release command that exited 1, naming the container, the exit code and the logs', () => {
    // Act
    const verdict = judgeTask(sdkTask([{ name: 'web', exitCode: 1 }]), ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed' });
    expect(verdict.cause).toContain('exited with code 1 in container "web"');
    expect(verdict.cause).toContain(`Logs: ${LINK}`);
  });

  it('reports a task that failed to start with its stopped reason', () => {
    // Prepare
    const task = sdkTask([{ name: 'web', lastStatus: 'STOPPED' }], {
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
    });

    // Act
    const verdict = judgeTask(task, ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed', containers: [{ name: 'web', exitCode: null }] });
    expect(verdict.cause).toContain('failed to start (TaskFailedToStart): CannotPullContainerError');
  });

  it('does not let a non-essential sidecar that exited 0 hide the main container exiting 1', () => {
    // Prepare: the sidecar is listed first.
    const task = sdkTask([
      { name: 'log-router', exitCode: 0 },
      { name: 'web', exitCode: 1 },
    ]);

    // Act
    const verdict = judgeTask(task, ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed' });
    expect(verdict.cause).toContain('exited with code 1 in container "web"');
    expect(verdict.containers).toEqual([
      { name: 'log-router', exitCode: 0, reason: null, essential: false },
      { name: 'web', exitCode: 1, reason: null, essential: true },
    ]);
  });

  it('fails when another essential container exited non-zero although the command succeeded', () => {
    // Prepare
    const task = sdkTask([
      { name: 'web', exitCode: 0 },
      { name: 'proxy', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
    ]);

    // Act
    const verdict = judgeTask(task, { ...ctx, essentialContainers: ['web', 'proxy'] });

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed' });
    expect(verdict.cause).toContain('essential container "proxy" exited 137');
  });

  it('reads the PascalCase task Step Functions returns the same as the camelCase one', () => {
    // Prepare
    const containers = [
      { name: 'log-router', exitCode: 0 },
      { name: 'web', exitCode: 3, reason: 'migration failed' },
    ];
    const pascalContainers = containers.map((c) => ({ Name: c.name, ExitCode: c.exitCode, ...(c.reason ? { Reason: c.reason } : {}) }));

    // Act
    const fromSdk = judgeTask(sdkTask(containers), ctx);
    const fromSfn = judgeTask(sfnTask(pascalContainers), ctx);

    // Assess
    expect(fromSfn).toEqual(fromSdk);
    expect(fromSfn.cause).toContain('exited with code 3 in container "web" (migration failed)');
    expect(fromSfn.stopCode).toBe('EssentialContainerExited');
  });

  it('fails naming the expected container when the task has no container of that name', () => {
    // Act
    const verdict = judgeTask(sdkTask([{ name: 'app', exitCode: 0 }]), ctx);

    // Assess
    expect(verdict.ok).toBe(false);
    expect(verdict.cause).toContain('no container named "web" (containers: app)');
  });

  describe('with the published stopped task (containers envoy exit 0, app exit 2)', () => {
    const detail = awsEvent<{ detail: Json }>('ecs-task-state-change-stopped-essential-exit-2.json').detail;
    const appCtx: ReleaseContext = { containerName: 'app', essentialContainers: ['app'], logGroup: '/ecs/example-api', region: 'eu-central-1' };

    it('fails with exit code 2 of container "app" and a link to its log stream', () => {
      // Act
      const verdict = judgeTask(detail, appCtx);

      // Assess
      expect(verdict).toMatchObject({
        ok: false,
        error: 'ReleaseFailed',
        taskArn: 'arn:aws:ecs:eu-central-1:111111111111:task/test/a6eaf0150a4248dAA1bcbd688121014e',
        stopCode: 'EssentialContainerExited',
        logStream: 'app/app/a6eaf0150a4248dAA1bcbd688121014e',
      });
      expect(verdict.cause).toContain('exited with code 2 in container "app"');
      expect(verdict.cause).toContain('Essential container in task exited');
      expect(verdict.cause).toContain(
        'https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logsV2:log-groups/log-group/$252Fecs$252Fexample-api/log-events/app$252Fapp$252Fa6eaf0150a4248dAA1bcbd688121014e',
      );
    });

    it('reports the exited essential container when the release ran in the sidecar', () => {
      // Act
      const verdict = judgeTask(detail, { ...appCtx, containerName: 'envoy', essentialContainers: ['envoy', 'app'] });

      // Assess
      expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed' });
      expect(verdict.cause).toContain('essential container "app" exited 2');
    });
  });
});

describe('judgeError', () => {
  it('judges the task in the Cause of States.TaskFailed', () => {
    // Prepare
    const cause = JSON.stringify(sfnTask([{ Name: 'web', ExitCode: 1 }]));

    // Act
    const verdict = judgeError({ Error: 'States.TaskFailed', Cause: cause }, ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed', taskArn: TASK_ARN, logLink: LINK });
    expect(verdict.cause).toContain('exited with code 1 in container "web"');
  });

  it('reports an AmazonECS.Unknown placement failure as ECS not starting the task', () => {
    // Prepare
    const cause = 'Tasks provisioning capacity limit exceeded. (Service: AmazonECS; Status Code: 400; Error Code: Unknown)';

    // Act
    const verdict = judgeError({ Error: 'AmazonECS.Unknown', Cause: cause }, ctx);

    // Assess
    expect(verdict).toMatchObject({ ok: false, error: 'ReleaseFailed', taskArn: null, logLink: null, containers: [] });
    expect(verdict.cause).toBe(`ECS could not start the release task (AmazonECS.Unknown): ${cause}.`);
  });

  it('reports any other error with its name and cause', () => {
    // Act
    const verdict = judgeError({ Error: 'States.Timeout', Cause: 'The task timed out' }, ctx);

    // Assess
    expect(verdict.cause).toBe('the release task could not be run (States.Timeout): The task timed out.');
  });
});

describe('check-release-task handler', () => {
  const release = { containerName: 'web', essentialContainers: ['web'], logGroup: '/slipway/example/web', region: 'eu-west-1' };

  it('judges the task Step Functions passes on success', async () => {
    // Act
    const verdict = await handler({ task: sfnTask([{ Name: 'web', ExitCode: 0 }]), release });

    // Assess
    expect(verdict).toMatchObject({ ok: true, taskArn: TASK_ARN, logLink: LINK });
  });

  it('refuses a Catch\'s error output instead of the task: no ASL sends one (a failed runTask.sync is not caught)', async () => {
    // Act
    const call = handler({ error: { Error: 'States.TaskFailed', Cause: JSON.stringify(sfnTask([{ Name: 'web', ExitCode: 1 }])) }, release });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(/^check-release-task input: task: /) });
  });

  it('throws InvalidInput naming task when it is missing', async () => {
    // Act
    const call = handler({ release });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringMatching(/^check-release-task input: task: /) });
  });

  it('throws InvalidInput naming release.containerName when it is missing', async () => {
    // Act
    const call = handler({ task: sdkTask([]), release: { ...release, containerName: undefined } });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('release.containerName') });
  });
});

describe('"Stop on the failed release" (check-release-task with a failed verdict)', () => {
  const failed = { ok: false, error: 'ReleaseFailed', cause: `the release command exited with code 1 in container "web"; stop code EssentialContainerExited: Essential container in task exited. Logs: ${LINK}` };

  test('fails with ReleaseFailed and the verdict\'s cause when entered in the attempt that judged the task', async () => {
    // Act
    const call = handler({ failed, judgedAtRedrive: 0, redriveCount: 0 });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'ReleaseFailed', message: failed.cause });
  });

  test('a redrive re-entering it (higher redrive count) returns runAgain, so a new release task runs', async () => {
    // Act
    const out = await handler({ failed, judgedAtRedrive: 0, redriveCount: 1 });

    // Assess
    expect(out).toEqual({ runAgain: true });
  });

  test('fails again when the task of the redrive itself failed (judged in the same attempt)', async () => {
    await expect(handler({ failed, judgedAtRedrive: 2, redriveCount: 2 })).rejects.toMatchObject({ name: 'ReleaseFailed' });
  });

  test('refuses input without the redrive counts with InvalidInput', async () => {
    await expect(handler({ failed })).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('judgedAtRedrive') });
  });
});
