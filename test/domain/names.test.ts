import { EXECUTION_NAME_MAX } from '../../domain/constants';
// prettier-ignore
import { activityLogGroupName, appAndBuildOf, appLogGroupName, appParameterPath, appsParameterPath, appsParameterRoot, buildLogGroupName, cliExecutionName, clusterNameOf, configParameterName, configParameterPath, codeBuildProjectName, configRedeployExecutionName, controlPlaneFunctionName, controlPlaneLogGroupName, dashboardName, isNumberedExecutionOf, lambdaLogGroupName, logStreamLink, operatorPolicyName, parameterChangeExecutionName, pipelineExecutionName, SCALABLE_DIMENSION, scalableTargetResourceId, scheduleGroupName, scheduleGroupPattern, schedulesParameterName, serviceName, serviceResource, settingsParameterName, stateMachineName, TAG_APP, TAG_BUILD, TAG_CONFIG_CHANGE, TAG_CONTROL_PLANE, TAG_PROCESS, TAG_RUN, TAG_SCHEDULE, taskDefinitionFamily, taskLogStreamName, APP_NAME_MAX, databaseClusterIdentifier, ecsClusterName, imageRepositoryName, parameterPathPrefix, APP_NAME, PROCESS_NAME, PROCESS_NAME_MAX, nameRule } from '../../domain/names';
import { ALERT_SHARDS, alertsKeyAliasName, alertsTopicName, alertsTopicShard, databaseAlarmName, databaseAlarmsTopicName } from '../../domain/alerts';

describe('resource names', () => {
  test('state machines, services, families, schedule groups', () => {
    expect(stateMachineName('slipway', 'main', 'config-change')).toBe('slipway-main-config-change');
    expect(serviceName('shop', 'web')).toBe('shop--web');
    expect(taskDefinitionFamily('slipway', 'shop', 'worker')).toBe('slipway-shop--worker');
    expect(scheduleGroupName('slipway', 'main', 'shop')).toBe('slipway-main.shop');
    expect(scheduleGroupPattern('slipway', 'main')).toBe('slipway-main.*');
    expect(controlPlaneFunctionName('slipway', 'main', 'updateService')).toBe('slipway-main-update-service');
    expect(codeBuildProjectName('slipway', 'shop')).toBe('slipway-shop');
    expect(operatorPolicyName('slipway', 'shop', 'operate')).toBe('slipway-shop-operate');
    expect(dashboardName('slipway', 'main')).toBe('slipway-main');
    expect(ecsClusterName('slipway', 'main')).toBe('slipway-main');
    expect(imageRepositoryName('slipway', 'shop')).toBe('slipway/shop');
    expect(databaseClusterIdentifier('slipway', 'main-db')).toBe('slipway-main-db');
  });

  test('the account-level names: parameter prefix, activity log group, alerts key', () => {
    expect(parameterPathPrefix('slipway')).toBe('/slipway/');
    expect(appsParameterRoot('slipway').startsWith(parameterPathPrefix('slipway'))).toBe(true);
    expect(activityLogGroupName('slipway')).toBe('/slipway/activity');
    expect(alertsKeyAliasName('slipway')).toBe('alias/slipway/alerts');
  });

  test('alert topics: an app shard topic is read back to its shard, nothing else is', () => {
    for (const controlPlane of ['main', 'eu-main-2', 'alerts-1']) {
      for (let shard = 1; shard <= ALERT_SHARDS; shard++) expect(alertsTopicShard('slipway', alertsTopicName('slipway', controlPlane, shard))).toBe(shard);
      expect(alertsTopicShard('slipway', alertsTopicName('slipway', controlPlane))).toBeUndefined();
    }
    expect(alertsTopicName('slipway', 'main', 2)).toBe('slipway-main-alerts-2');
    expect(alertsTopicShard('other', 'slipway-main-alerts-2')).toBeUndefined();
    expect(alertsTopicShard('slipway', 'slipway-main-alerts-9')).toBeUndefined();
    expect(alertsTopicShard('slipway', 'slipway-alerts-1')).toBeUndefined();
    expect(alertsTopicShard('slipway', 'slipway-main-alerts-02')).toBeUndefined();
    expect(databaseAlarmsTopicName('slipway', 'main')).toBe('slipway-db-main-alarms');
    expect(databaseAlarmName('slipway', 'main', 2, 'cpu')).toBe('slipway-db-main-2-cpu');
  });

  test('parameters live under /<prefix>/apps/<app>', () => {
    const app = appParameterPath('slipway', 'shop');
    expect(app).toBe('/slipway/apps/shop');
    expect(app.startsWith(appsParameterRoot('slipway'))).toBe(true);
    expect(appsParameterPath('slipway')).toBe('/slipway/apps');
    expect(configParameterPath(app)).toBe('/slipway/apps/shop/config');
    expect(configParameterName(app, 'DATABASE_URL')).toBe('/slipway/apps/shop/config/DATABASE_URL');
    expect(schedulesParameterName(app)).toBe('/slipway/apps/shop/schedules');
    expect(settingsParameterName(app)).toBe('/slipway/apps/shop/settings');
  });

  test('scalable target and service ARN resource: by cluster name or ARN', () => {
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:cluster/slipway-main';
    expect(clusterNameOf(arn)).toBe('slipway-main');
    expect(clusterNameOf('slipway-main')).toBe('slipway-main');
    expect(scalableTargetResourceId(arn, 'shop-web')).toBe('service/slipway-main/shop-web');
    expect(scalableTargetResourceId('slipway-main', 'shop-web')).toBe(serviceResource(arn, 'shop-web'));
    expect(SCALABLE_DIMENSION).toBe('ecs:service:DesiredCount');
  });

  test('tags are distinct slipway: keys', () => {
    const tags = [TAG_APP, TAG_BUILD, TAG_PROCESS, TAG_CONFIG_CHANGE, TAG_CONTROL_PLANE, TAG_SCHEDULE, TAG_RUN];
    expect(new Set(tags).size).toBe(tags.length);
    for (const t of tags) expect(t).toMatch(/^slipway:[a-z-]+$/);
    expect(TAG_APP).toBe('slipway:app');
  });

  test('log groups and streams', () => {
    expect(appLogGroupName('slipway', 'shop')).toBe('/slipway/apps/shop');
    expect(buildLogGroupName('slipway', 'shop')).toBe('/slipway/apps/shop/builds');
    expect(controlPlaneLogGroupName('slipway', 'main')).toBe('/aws/vendedlogs/states/slipway-main-control-plane');
    expect(lambdaLogGroupName('slipway-main-update-service')).toBe('/aws/lambda/slipway-main-update-service');
    expect(taskLogStreamName('web', 'abc123')).toBe('web/web/abc123');
    expect(logStreamLink('eu-west-1', '/slipway/apps/shop', 'web/web/abc123')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fslipway$252Fapps$252Fshop/log-events/web$252Fweb$252Fabc123',
    );
  });
});

describe('name rules', () => {
  test('app and process type names: the patterns and the maxima their messages state agree', () => {
    for (const [pattern, max, kind] of [[APP_NAME, APP_NAME_MAX, 'app'], [PROCESS_NAME, PROCESS_NAME_MAX, 'process']] as const) {
      expect(pattern.test(`a${'b'.repeat(max - 1)}`)).toBe(true);
      expect(pattern.test(`a${'b'.repeat(max)}`)).toBe(false);
      for (const bad of ['', '1web', 'Web', 'we_b', 'we b']) expect(pattern.test(bad)).toBe(false);
      expect(nameRule(kind)).toContain(`${max} characters at most`);
    }
  });
});

describe('execution names', () => {
  const uuid = '6e2b3c1a-1111-2222-3333-444455556666';

  test("the pipelines' names round-trip through appAndBuildOf", () => {
    for (const pipeline of ['release', 'deploy'] as const) {
      expect(appAndBuildOf(pipelineExecutionName('web-admin', '42', pipeline))).toEqual({ app: 'web-admin', build: '42' });
      expect(appAndBuildOf(pipelineExecutionName('shop', uuid, pipeline))).toEqual({ app: 'shop', build: uuid });
    }
  });

  test("the CLI's names round-trip too (a uuid build is shortened, so only the app is said)", () => {
    const at = new Date('2026-11-20T12:00:00.123Z');
    expect(cliExecutionName('shop', '42', 'redeploy', at)).toBe('shop--42-redeploy-20261120T120000Z');
    expect(appAndBuildOf(cliExecutionName('shop', '42', 'rollback', at))).toEqual({ app: 'shop', build: '42' });
    expect(appAndBuildOf(cliExecutionName('shop', uuid, 'redeploy', at))).toEqual({});
  });

  test('the longest app name with a uuid build fits Step Functions\' 80 characters', () => {
    const app = `a${'b'.repeat(APP_NAME_MAX - 1)}`;
    expect(pipelineExecutionName(app, uuid, 'release').length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
    expect(cliExecutionName(app, uuid, 'rollback', new Date()).length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
  });

  test('names that are not an app build execution say nothing', () => {
    expect(appAndBuildOf(undefined)).toEqual({});
    expect(appAndBuildOf(configRedeployExecutionName('shop', 'e1'))).toEqual({ app: 'shop' });
    expect(appAndBuildOf(parameterChangeExecutionName('e1'))).toEqual({});
    expect(appAndBuildOf('4f8c-random-build-execution')).toEqual({});
  });

  test('isNumberedExecutionOf tells an app from another whose name it starts', () => {
    expect(isNumberedExecutionOf('web--42-deploy', 'web', 'deploy')).toBe(true);
    expect(isNumberedExecutionOf('web-admin--42-deploy', 'web', 'deploy')).toBe(false);
    expect(isNumberedExecutionOf('web-admin--42-deploy', 'web-admin', 'deploy')).toBe(true);
    expect(isNumberedExecutionOf('web--42-deploy', 'web', 'release')).toBe(false);
    expect(isNumberedExecutionOf(`web--${uuid}-deploy`, 'web', 'deploy')).toBe(false);
    expect(isNumberedExecutionOf('web-42-deploy', 'web', 'deploy')).toBe(false);
  });

  test('the config redeploy of the longest app name fits 80 characters', () => {
    const app = `a${'b'.repeat(APP_NAME_MAX - 1)}`;
    expect(configRedeployExecutionName(app, uuid).length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
    expect(configRedeployExecutionName('shop', uuid)).toBe(`shop--config-${uuid}`);
  });
});
