import { buildOfExecutionInput, ecsField, ecsTaskObjectOfCause, isFailedStatus, statesToRedrive, type StateVisit } from '../../domain/executions';

const visit = (name: string, exited: boolean, redrive = 0, scope = ''): StateVisit => ({ scope: { key: scope }, name, exited, redrive });

describe('statesToRedrive: the redrive rule the handlers, the CLI and the local runner share', () => {
  test('states with an Entered and no Exited event are re-run; exited ones are not', () => {
    const visits = [visit('Claim', true), visit('Run release task', false)];
    expect(statesToRedrive(visits).map((v) => v.name)).toEqual(['Run release task']);
  });

  test('a state an earlier attempt left open and a later redrive entered again counts once, as the later visit', () => {
    const visits = [visit('Wait', false, 0), visit('Wait', true, 1), visit('Next', false, 1)];
    expect(statesToRedrive(visits)).toEqual([visit('Next', false, 1)]);
  });

  test('the same state in two Map iterations is two states: each open one is re-run', () => {
    const visits = [visit('Wait', false, 0, 'Map[0]'), visit('Wait', true, 0, 'Map[1]'), visit('Wait', false, 0, 'Map[2]')];
    expect(statesToRedrive(visits).map((v) => v.scope.key)).toEqual(['Map[0]', 'Map[2]']);
  });
});

describe('ecsTaskObjectOfCause: the one reader of an ECS task in a cause', () => {
  test('reads the PascalCase task Step Functions puts in a States.TaskFailed cause, and its fields in either case', () => {
    const task = ecsTaskObjectOfCause(JSON.stringify({ TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/c/abc', StopCode: 'TaskFailedToStart', Containers: [] }));
    expect(ecsField(task, 'stopCode')).toBe('TaskFailedToStart');
    expect(ecsField(task, 'taskArn')).toBe('arn:aws:ecs:eu-west-1:123456789012:task/c/abc');
  });

  test.each([
    ['a Lambda error document', JSON.stringify({ errorType: 'ReleaseFailed', errorMessage: 'exit 1' })],
    ['an object whose containers are not a list', JSON.stringify({ containers: 'web' })],
    ['not JSON', '{not json'],
    ['nothing', undefined],
  ])('is undefined for %s', (_label, cause) => {
    expect(ecsTaskObjectOfCause(cause)).toBeUndefined();
  });
});

test('FAILED, TIMED_OUT and ABORTED end an execution badly; RUNNING, SUCCEEDED and PENDING_REDRIVE do not', () => {
  expect(['FAILED', 'TIMED_OUT', 'ABORTED', 'RUNNING', 'SUCCEEDED', 'PENDING_REDRIVE'].map(isFailedStatus)).toEqual([true, true, true, false, false, false]);
});

describe('buildOfExecutionInput: the build an execution input is about', () => {
  test("a release or deploy input: its build's key", () => {
    expect(buildOfExecutionInput({ app: 'example', build: { buildKey: '42', buildNumber: 42 } })).toBe('42');
  });

  test('a CodeBuild event: its build number, else the uuid of its build id', () => {
    const detail = { 'project-name': 'slipway-example', 'build-id': 'arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:8745a7a9-c340-456a-9166-edf953571b42' };
    expect(buildOfExecutionInput({ source: 'aws.codebuild', detail: { ...detail, 'additional-information': { 'build-number': 7 } } })).toBe('7');
    expect(buildOfExecutionInput({ source: 'aws.codebuild', detail })).toBe('8745a7a9-c340-456a-9166-edf953571b42');
  });

  test.each([[undefined], [null], [[]], [{ app: 'example' }], [{ source: 'aws.ssm', detail: { name: '/slipway/apps/example/config/A' } }], [{ source: 'aws.codebuild', detail: {} }]])('%j names no build', (input) => {
    expect(buildOfExecutionInput(input)).toBeUndefined();
  });
});
