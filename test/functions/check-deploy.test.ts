import { buildRecordProblem, revisionProblem, revisionTagsProblem } from '../../functions/update-service/check-deploy';
import { legacyTaskDefinitionFamily, taskDefinitionFamily } from '../../domain/names';

/*
 * The pure judgements of the deploy's check (functions/update-service/check-deploy.ts); the check itself
 * runs through the real deploy ASL in test/statemachines/deploy-trust.test.ts.
 */

const settings = (app: string, processes: string[]) => ({
  app,
  region: 'eu-west-1',
  cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/slipway-production',
  processes: Object.fromEntries(processes.map((p) => [p, { family: taskDefinitionFamily('slipway', app, p) }])) as never,
});
const arn = (family: string, revision = 3, account = '123456789012', region = 'eu-west-1') => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;

describe('revisionProblem: the family and place of a revision, judged from its ARN', () => {
  const shop = settings('shop', ['api-web']);
  const shopApi = settings('shop-api', ['web']);

  test("the app's own family in its account and region is accepted", () => {
    expect(revisionProblem(shop, 'api-web', arn('slipway-shop--api-web'), 'slipway')).toBeUndefined();
  });

  test("the hyphen split that used to collide: each app's family is refused for the other", () => {
    expect(revisionProblem(shop, 'api-web', arn('slipway-shop-api--web'), 'slipway')).toContain('not of slipway-shop--api-web');
    expect(revisionProblem(shopApi, 'web', arn('slipway-shop--api-web'), 'slipway')).toContain('not of slipway-shop-api--web');
  });

  test('another account or region, a process the app lacks, or not an ARN, are refused', () => {
    expect(revisionProblem(shop, 'api-web', arn('slipway-shop--api-web', 3, '210987654321'), 'slipway')).toContain('is in account 210987654321');
    expect(revisionProblem(shop, 'api-web', arn('slipway-shop--api-web', 3, '123456789012', 'us-east-1'), 'slipway')).toContain('is in region us-east-1');
    expect(revisionProblem(shop, 'worker', arn('slipway-shop--worker'), 'slipway')).toContain('process "worker" is not one of app shop\'s processes');
    expect(revisionProblem(shop, 'api-web', 'slipway-shop--api-web:3', 'slipway')).toContain('is not a task-definition revision ARN');
  });

  test('the legacy family (before "--") passes this check for both apps that shared it: only the tags can tell', () => {
    const legacy = legacyTaskDefinitionFamily('slipway', 'shop', 'api-web');
    expect(legacy).toBe(legacyTaskDefinitionFamily('slipway', 'shop-api', 'web'));
    expect(revisionProblem(shop, 'api-web', arn(legacy), 'slipway')).toBeUndefined();
    expect(revisionProblem(shopApi, 'web', arn(legacy), 'slipway')).toBeUndefined();
    const tags = [{ key: 'slipway:app', value: 'shop' }, { key: 'slipway:build', value: '41' }];
    expect(revisionTagsProblem('shop', '41', arn(legacy), tags)).toBeUndefined();
    expect(revisionTagsProblem('shop-api', '41', arn(legacy), tags)).toContain('was not registered for app shop-api');
  });
});

describe('revisionTagsProblem and buildRecordProblem', () => {
  test('a revision without tags, or of another build, is refused', () => {
    expect(revisionTagsProblem('shop', '42', arn('slipway-shop--web'), undefined)).toContain('its slipway:app tag is null');
    expect(revisionTagsProblem('shop', '42', arn('slipway-shop--web'), [{ key: 'slipway:app', value: 'shop' }, { key: 'slipway:build', value: '41' }])).toContain('not registered for build 42');
  });

  test('only a SUCCEEDED build with an image may be deployed', () => {
    expect(buildRecordProblem('shop', '42', undefined)).toContain('has no record of build 42');
    expect(buildRecordProblem('shop', '42', { sortKey: '0000000042', buildKey: '42', status: 'FAILED', image: 'i' })).toContain('is FAILED, not SUCCEEDED');
    expect(buildRecordProblem('shop', '42', { sortKey: '0000000042', buildKey: '42', status: 'SUCCEEDED' })).toContain('names no image');
    expect(buildRecordProblem('shop', '42', { sortKey: '0000000042', buildKey: '42', status: 'SUCCEEDED', image: 'i' })).toBeUndefined();
  });
});
