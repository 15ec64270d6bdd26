import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { APP_NAME_MAX } from '../../domain/names';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { LocalRun } from '../../lib/local/runner';
import { buildEvent, ROOT } from './scenarios';

/**
 * The pipelines at the limits of the names the config accepts: the longest app name, the longest
 * process-type name, a build without a CodeBuild build number (keyed by its 36-character build id), and
 * a scheduled task of that process. Every name the run gives AWS must be one AWS accepts: the simulated
 * services refuse the others (lib/local/aws-limits.ts), and execution names are checked here against
 * Step Functions' rules.
 */

const APP = `l${'o'.repeat(APP_NAME_MAX - 1)}`; // 34 characters
const PROCESS = `p${'r'.repeat(30)}`; // 31 characters, the longest PROCESS_NAME
const BUILD_ID = '8745a7a9-c340-456a-9166-edf953571b42';

/** Step Functions execution names: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

function configFile(): string {
  const config = {
    clusters: [{ name: 'production' }],
    apps: [
      {
        name: APP,
        cluster: 'production',
        repository: { owner: 'example-org', name: 'long-app' },
        releaseCommand: ['bin/migrate'],
        releaseProcess: PROCESS,
        processes: { [PROCESS]: { command: ['bin/work'] } },
        schedules: [{ schedule: 'rate(1 hour)', command: 'bin/cleanup', process: PROCESS }],
      },
    ],
  };
  parseDeploymentConfig(config); // the config accepts these names: this is the limit, not past it
  const dir = mkdtempSync(join(tmpdir(), 'slipway-limits-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return relative(ROOT, file);
}

/** The example CodeBuild SUCCEEDED event for the long app, without a build number (the image tag is exported instead). */
function buildWithoutNumber(): Record<string, unknown> {
  const event = buildEvent();
  const detail = event.detail as Record<string, unknown>;
  const project = `slipway-${APP}`;
  const buildArn = `arn:aws:codebuild:us-east-1:123456789012:build/${project}:${BUILD_ID}`;
  detail['project-name'] = project;
  detail['build-id'] = buildArn;
  event.resources = [buildArn];
  const info = detail['additional-information'] as Record<string, unknown>;
  delete info['build-number'];
  info['exported-environment-variables'] = [{ name: 'IMAGE_TAG', value: 'sha-4f1c2d3e' }];
  return event;
}

describe('the pipelines at the name limits', () => {
  let run: LocalRun;

  beforeAll(async () => {
    run = new LocalRun({ config: configFile(), app: APP }, ROOT);
    run.rules.syncSchedulesAfterDeploys = true;
    run.at(0, 'the build without a number succeeds', () => run.startConcurrently('build', buildWithoutNumber()));
    await run.runScheduled();
  });

  test('build, release, deploy and the schedules sync all succeed', () => {
    const byPipeline = Object.fromEntries(run.executions.map((e) => [e.stateMachine, e.status]));
    expect(byPipeline).toEqual({ build: 'SUCCEEDED', release: 'SUCCEEDED', deploy: 'SUCCEEDED', schedules: 'SUCCEEDED' });
  });

  test('the scheduled task of the longest process is in the <prefix>-<cluster>.<app> group, targeting the cluster by ARN', () => {
    const [schedule] = run.world.scheduler.list(`slipway-production.${APP}`);
    expect(schedule.Name).toMatch(new RegExp(`^${PROCESS}-[0-9a-f]{8}$`));
    expect(schedule.Target?.Arn).toMatch(/^arn:aws:ecs:[a-z0-9-]+:\d{12}:cluster\/slipway-production$/);
    expect(schedule.Target?.EcsParameters?.TaskDefinitionArn).toBe(run.world.services.get(`${APP}--${PROCESS}`)?.service.taskDefinition);
  });

  test('the release is <app>--<build id>-release: exactly 80 characters, a valid execution name; the deploy 79', () => {
    const names = Object.fromEntries(run.executions.map((e) => [e.stateMachine, e.name]));
    expect(names.release).toBe(`${APP}--${BUILD_ID}-release`);
    expect(names.release).toHaveLength(80);
    expect(names.deploy).toBe(`${APP}--${BUILD_ID}-deploy`);
    for (const e of run.executions) expect(e.name).toMatch(EXECUTION_NAME);
  });

  test('the service and the task-definition family of the longest process name are created', () => {
    expect([...run.world.services.keys()]).toEqual([`${APP}--${PROCESS}`]);
    expect([...run.world.revisions.keys()]).toEqual([`slipway-${APP}--${PROCESS}`]);
  });
});
