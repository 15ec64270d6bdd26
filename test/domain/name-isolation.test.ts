import fc from 'fast-check';
import { EXECUTION_NAME_MAX } from '../../domain/constants';
import {
  APP_NAME,
  APP_NAME_MAX,
  appAlarmName,
  appAlarmNamePattern,
  appAndBuildOf,
  appNamePrefix,
  appOfScopedName,
  appOfTaskDefinitionFamily,
  cliExecutionName,
  configRedeployExecutionName,
  isNumberedExecutionOf,
  PROCESS_NAME,
  PROCESS_NAME_MAX,
  pipelineExecutionName,
  serviceName,
  taskDefinitionFamily,
  taskDefinitionOfArn,
} from '../../domain/names';

/*
 * The naming scheme's promise (domain/names.ts APP_SEPARATOR): for any two valid app names, no name one
 * app owns starts with the other's `<app>--`, so no pattern `<x><app>--*` of one app reaches the other's
 * resources. Checked on the cases that broke the single-hyphen scheme, and on generated names.
 */

/** A valid name of at most `max` characters: the generator builds what the rule allows, the rule is checked apart. */
const validName = (max: number) =>
  fc
    .tuple(fc.constantFrom(...'abcxyz'), fc.array(fc.constantFrom('a', 'b', '1', '-'), { maxLength: max - 1 }))
    .map(([first, rest]) => `${first}${rest.join('')}`.replace(/-+/g, '-').replace(/-$/, '') || first)
    .filter((n) => n.length <= max);
const appName = validName(APP_NAME_MAX);
const processName = validName(PROCESS_NAME_MAX);
const uuid = '6e2b3c1a-1111-2222-3333-444455556666';
const buildKey = fc.oneof(fc.integer({ min: 1, max: 9_999_999_999 }).map(String), fc.constant(uuid));

/** Every name the app owns under a shared namespace, for a process and a build. */
function ownedNames(app: string, process: string, build: string): string[] {
  return [
    serviceName(app, process),
    taskDefinitionFamily('slipway', app, process).slice('slipway-'.length),
    pipelineExecutionName(app, build, 'release'),
    pipelineExecutionName(app, build, 'deploy'),
    cliExecutionName(app, build, 'rollback', new Date('2026-12-07T05:00:00Z')),
    configRedeployExecutionName(app, uuid),
    appAlarmName('slipway', app, `${process}-cpu`).slice('slipway-'.length),
  ];
}

describe('the rule for app and process type names', () => {
  test.each([
    ['shop--api', false],
    ['shop-', false],
    ['-shop', false],
    ['shop---api', false],
    ['shop-api', true],
    ['s', true],
    [`a${'b'.repeat(APP_NAME_MAX - 1)}`, true],
    [`a${'b'.repeat(APP_NAME_MAX)}`, false],
  ])('app name %j valid: %s', (name, valid) => {
    expect(APP_NAME.test(name)).toBe(valid);
  });

  test.each([['web--x'], ['web-'], ['-web'], ['Web']])('process name %j is refused', (name) => {
    expect(PROCESS_NAME.test(name)).toBe(false);
  });

  test('the generators used below only make valid names (so the properties are about valid names)', () => {
    fc.assert(fc.property(appName, processName, (a, p) => APP_NAME.test(a) && PROCESS_NAME.test(p)));
  });

  test('APP_NAME_MAX is what Step Functions leaves for the app in <app>--<uuid build>-release (80 characters)', () => {
    expect(APP_NAME_MAX).toBe(34);
    const longest = `a${'b'.repeat(APP_NAME_MAX - 1)}`;
    expect(pipelineExecutionName(longest, uuid, 'release')).toHaveLength(EXECUTION_NAME_MAX);
    expect(configRedeployExecutionName(longest, uuid).length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
  });
});

describe('no name of one app falls under another app\'s <app>-- pattern', () => {
  test('the hyphen split that used to collide: shop/api-web and shop-api/web', () => {
    expect(serviceName('shop', 'api-web')).toBe('shop--api-web');
    expect(serviceName('shop-api', 'web')).toBe('shop-api--web');
    expect(taskDefinitionFamily('p', 'shop', 'api-web')).not.toBe(taskDefinitionFamily('p', 'shop-api', 'web'));
    for (const n of ownedNames('shop-api', 'web', '42')) expect(n.startsWith(appNamePrefix('shop'))).toBe(false);
    for (const n of ownedNames('shop', 'api-web', '42')) expect(n.startsWith(appNamePrefix('shop-api'))).toBe(false);
  });

  test("one app's name a prefix of the other's: example and example-admin", () => {
    for (const n of ownedNames('example-admin', 'web', '7')) {
      expect(n.startsWith(appNamePrefix('example'))).toBe(false);
      expect(appOfScopedName(n)).toBe('example-admin');
    }
    expect(`slipway-example-admin--web-cpu`.startsWith(appAlarmNamePattern('slipway', 'example').slice(0, -1))).toBe(false);
  });

  test('for any two different valid apps, processes and builds (generated)', () => {
    fc.assert(
      fc.property(appName, appName, processName, processName, buildKey, (a, b, p, q, build) => {
        fc.pre(a !== b);
        for (const n of ownedNames(b, q, build)) {
          if (n.startsWith(appNamePrefix(a))) return false;
          if (appOfScopedName(n) !== b) return false;
        }
        return serviceName(a, p) !== serviceName(b, q) && taskDefinitionFamily('slipway', a, p) !== taskDefinitionFamily('slipway', b, q);
      }),
      { numRuns: 2000 },
    );
  });

  test('every owned name is read back to its app (and build where the name says it)', () => {
    fc.assert(
      fc.property(appName, processName, buildKey, (app, process, build) => {
        expect(appAndBuildOf(pipelineExecutionName(app, build, 'deploy'))).toEqual({ app, build });
        expect(appAndBuildOf(configRedeployExecutionName(app, uuid))).toEqual({ app });
        expect(appOfTaskDefinitionFamily('slipway', taskDefinitionFamily('slipway', app, process))).toEqual({ app, process });
        expect(isNumberedExecutionOf(pipelineExecutionName(app, '12', 'release'), app, 'release')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('task-definition ARNs', () => {
  test('family and revision are read from an ARN, anything else is undefined', () => {
    expect(taskDefinitionOfArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/slipway-shop--web:12')).toEqual({ family: 'slipway-shop--web', revision: 12 });
    expect(taskDefinitionOfArn('slipway-shop--web:12')).toBeUndefined();
    expect(taskDefinitionOfArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/slipway-shop--web')).toBeUndefined();
    expect(taskDefinitionOfArn('arn:aws:ecs:eu-west-1:123456789012:task-definition/slipway-shop--web:0')).toBeUndefined();
    expect(appOfTaskDefinitionFamily('slipway', 'slipway-shop-web')).toBeUndefined();
    expect(appOfTaskDefinitionFamily('other', 'slipway-shop--web')).toBeUndefined();
  });
});
