import { setHandlerEnv, buildSettings, settingsParameterOutput, settingsInput, awsError, awsEvent, repoEvent, IMAGE_REPOSITORY, SETTINGS_PARAMETER, TABLE_NAME } from './helpers';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssm } from '../../functions/shared/clients';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/parse-build-event';
import { parseBuildEvent, type ParsedBuildEvent } from '../../functions/parse-build-event/parse';

type Json = Record<string, any>;

const settings = buildSettings();

/** The CodeBuild SUCCEEDED event of build 42 of the example app's project. */
function succeeded(): Json {
  return repoEvent('codebuild-succeeded.json');
}

/** Narrows a result to the InvalidEvent case, failing the test otherwise. */
function invalid(result: ParsedBuildEvent): { cause: string } {
  expect(result).toMatchObject({ ok: false, error: 'InvalidEvent' });
  return result as { cause: string };
}

describe('parseBuildEvent: real events', () => {
  it('ignores the IN_PROGRESS event of another project', () => {
    // Prepare
    const event = awsEvent('codebuild-state-in-progress.json');

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toEqual({ ok: true, action: 'ignore', reason: expect.stringContaining('"TestProject"') });
  });

  it("records the IN_PROGRESS event of the app's project with status rank 0", () => {
    // Prepare: the published event, copied with only detail.project-name changed to the app's project.
    const event: Json = awsEvent('codebuild-state-in-progress.json');
    event.detail['project-name'] = 'slipway-example';

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess: the event has no build-number, so the build is keyed by the build id's uuid.
    expect(result).toMatchObject({
      ok: true,
      action: 'record',
      build: {
        project: 'slipway-example',
        status: 'IN_PROGRESS',
        statusRank: 0,
        terminal: false,
        buildKey: '12345678-1234-1234-1234-1234567890ab',
        sortKey: '12345678-1234-1234-1234-1234567890ab',
        imageTag: 'none',
        image: 'none',
        commit: 'unknown',
        eventTime: '2020-10-14T21:28:52Z',
      },
    });
  });

  it('ignores a Build Phase Change event: it carries no build status', () => {
    // Prepare
    const event = awsEvent('codebuild-phase-change-completed.json');

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toEqual({ ok: true, action: 'ignore', reason: expect.stringContaining('CodeBuild Build Phase Change') });
  });

  it('deploys a SUCCEEDED build with the image tagged build-<number>', () => {
    // Prepare
    const event = succeeded();

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toEqual({
      ok: true,
      action: 'deploy',
      app: 'example',
      table: 'slipway-example-app',
      reason: expect.stringContaining('build 42 succeeded'),
      build: {
        project: 'slipway-example',
        buildId: 'arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:8745a7a9-c340-456a-9166-edf953571b42',
        buildNumber: 42,
        buildKey: '42',
        sortKey: '0000000042',
        status: 'SUCCEEDED',
        terminal: true,
        statusRank: 1,
        commit: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d',
        imageTag: 'build-42',
        image: `${IMAGE_REPOSITORY}:build-42`,
        logLink: 'https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEvent:group=/aws/codebuild/slipway-example;stream=8745a7a9-c340-456a-9166-edf953571b42',
        eventTime: '2026-01-01T00:00:00Z',
      },
    });
  });

  it('prefers the exported IMAGE_TAG and COMMIT variables over the build number and source version', () => {
    // Prepare
    const event = succeeded();
    event.detail['additional-information']['exported-environment-variables'] = [
      { name: 'IMAGE_TAG', value: 'sha-4f1c2d3' },
      { name: 'COMMIT', value: 'abc1234' },
    ];

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'deploy', build: { imageTag: 'sha-4f1c2d3', image: `${IMAGE_REPOSITORY}:sha-4f1c2d3`, commit: 'abc1234', buildKey: '42' } });
  });

  it('records a FAILED build of the project without deploying it', () => {
    // Prepare
    const event = succeeded();
    event.detail['build-status'] = 'FAILED';

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'record', build: { status: 'FAILED', terminal: true, statusRank: 1 }, reason: expect.stringContaining('FAILED') });
  });
});

describe('parseBuildEvent: malformed input is InvalidEvent', () => {
  it.each([
    ['null', null],
    ['an array', [succeeded()]],
    ['a string', JSON.stringify(succeeded())],
  ])('rejects %s as not an EventBridge event', (_label, input) => {
    // Act
    const result = parseBuildEvent(input, settings);

    // Assess
    expect(invalid(result).cause).toMatch(/not an EventBridge event/);
  });

  it('names detail when the event has none', () => {
    // Prepare
    const event = succeeded();
    delete event.detail;

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('detail is missing');
  });

  it('names detail.build-id when it is missing', () => {
    // Prepare
    const event = succeeded();
    delete event.detail['build-id'];

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('detail.build-id is missing');
  });

  it('names detail.build-id when it is not a CodeBuild build ARN', () => {
    // Prepare
    const event = succeeded();
    event.detail['build-id'] = 'build-42';

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('detail.build-id: must be a CodeBuild build ARN');
  });

  it('names detail.build-status when it is not a CodeBuild status', () => {
    // Prepare
    const event = succeeded();
    event.detail['build-status'] = 'PARTIALLY_DONE';

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('detail.build-status');
  });

  it('rejects a SUCCEEDED build with neither build-number nor IMAGE_TAG: the image is unknown', () => {
    // Prepare
    const event = succeeded();
    delete event.detail['additional-information']['build-number'];

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('build-number');
    expect(cause).toContain('IMAGE_TAG');
  });

  it.each([
    ['a shell command', 'x;rm -rf'],
    ['200 characters', 'a'.repeat(200)],
    ['a leading dot', '.hidden'],
  ])('rejects an IMAGE_TAG with %s', (_label, tag) => {
    // Prepare
    const event = succeeded();
    event.detail['additional-information']['exported-environment-variables'] = [{ name: 'IMAGE_TAG', value: tag }];

    // Act
    const { cause } = invalid(parseBuildEvent(event, settings));

    // Assess
    expect(cause).toContain('image tag');
    expect(cause).toContain('not a valid Docker tag');
    expect(cause).toContain(tag.slice(0, 100));
  });

  it('accepts an IMAGE_TAG of exactly 128 characters, the Docker maximum', () => {
    // Prepare
    const tag = `v${'1'.repeat(127)}`;
    const event = succeeded();
    event.detail['additional-information']['exported-environment-variables'] = [{ name: 'IMAGE_TAG', value: tag }];

    // Act
    const result = parseBuildEvent(event, settings);

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'deploy', build: { imageTag: tag } });
  });
});

describe('parse-build-event handler', () => {
  const ssmMock = mockClient(ssm as SSMClient);

  beforeEach(() => {
    ssmMock.reset();
    setHandlerEnv();
  });

  it("finds the app from the project <prefix>-<app>, reads its settings parameter and returns the app and its table", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));

    // Act
    const result = await handler(succeeded());

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'deploy', app: 'example', table: TABLE_NAME, build: { image: `${IMAGE_REPOSITORY}:build-42` } });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: SETTINGS_PARAMETER });
  });

  it('refuses (InvalidEvent) a project that is not named <prefix>-<app>, without reading any settings', async () => {
    // Prepare
    const event = succeeded();
    event.detail['project-name'] = 'slipway-Not_An_App';

    // Act
    const result = await handler(event);

    // Assess
    expect(invalid(result).cause).toContain('"slipway-Not_An_App" is not named slipway-<app>');
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('refuses (InvalidEvent) a project of another prefix', async () => {
    // Prepare
    const event = succeeded();
    event.detail['project-name'] = 'other-example';

    // Act
    const result = await handler(event);

    // Assess
    expect(invalid(result).cause).toContain('"other-example"');
  });

  it('reads the settings of the app the project names: another app gets its own parameter', async () => {
    // Prepare
    const event = succeeded();
    event.detail['project-name'] = 'slipway-docs';
    ssmMock.on(GetParameterCommand, { Name: '/slipway/apps/docs/settings' }).resolves(settingsParameterOutput(settingsInput({ app: 'docs', table: 'docs-table', codeBuildProject: 'slipway-docs' })));

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'deploy', app: 'docs', table: 'docs-table' });
  });

  it("ignores the build of an app of another cluster: that cluster's control plane deploys it", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/staging', controlPlane: 'staging' })));

    // Act
    const result = await handler(succeeded());

    // Assess
    expect(result).toEqual({ ok: true, action: 'ignore', reason: expect.stringContaining('served by the control plane staging, not by this one') });
  });

  it('serves an app whose settings name the cluster by name rather than ARN', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ cluster: 'slipway' })));

    // Act
    const result = await handler(succeeded());

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'deploy' });
  });

  it('uses the project named in the settings: another project is ignored', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ codeBuildProject: 'other-project' })));

    // Act
    const result = await handler(succeeded());

    // Assess
    expect(result).toMatchObject({ ok: true, action: 'ignore', reason: expect.stringContaining('"other-project"') });
  });

  it('throws SettingsNotFound naming the parameter when the app has no settings parameter (a redrive after deploying the app stack fixes it)', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'Parameter not found'));

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining(`${SETTINGS_PARAMETER}: deploy its app stack`) });
  });

  it('throws SettingsNotFound when the parameter is not JSON', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: SETTINGS_PARAMETER, Value: '{not json' } });

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining(`${SETTINGS_PARAMETER} is not JSON`) });
  });

  it('throws SettingsNotFound naming the bad field when the parameter does not match the schema', async () => {
    // Prepare
    const { table: _table, ...broken } = settingsInput();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: SETTINGS_PARAMETER, Value: JSON.stringify(broken) } });

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('invalid at table') });
  });

  it("throws SettingsNotFound when the parameter holds another app's settings", async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ app: 'docs' })));

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('holds the settings of app "docs"') });
  });

  it('turns SSM throttling into TransientError', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('ThrottlingException') });
  });

  it('throws MissingEnvironment when SLIPWAY_PREFIX is unset', async () => {
    // Prepare
    delete process.env.SLIPWAY_PREFIX;

    // Act
    const call = handler(succeeded());

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'MissingEnvironment', message: expect.stringContaining('SLIPWAY_PREFIX') });
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });
});
