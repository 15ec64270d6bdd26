import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppStack } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { DatabaseStack } from '../../lib/stacks/database-stack';
import { exampleApp, exampleConfig, synthesizeApp, synthesizeApps } from './example-stacks';

/**
 * The shared fixture stands in for each suite's own synthesis: it must give the same templates.
 *
 * The first tests synthesize something of their own before they read the example app's shared synthesis:
 * test/lib/app-stack.test.ts, which jest starts beside this file, has usually stored it by then (when it
 * has not, both synthesize it).
 */
describe('synthesizeApp (the shared example stacks)', () => {
  test('apps synthesized together each get the template their own synthesis gives (with or without a database, beside another app of the same name and one of another name)', () => {
    const apps = {
      example: exampleApp,
      withoutDatabase: { ...exampleApp, database: undefined },
      jobs: { ...exampleApp, name: 'jobs', releaseCommand: undefined, processes: { worker: exampleApp.processes.worker }, database: undefined },
    };

    const together = synthesizeApps(apps);

    // Two of them synthesized alone (the example app's synthesis is the one every suite shares).
    for (const name of ['withoutDatabase', 'example'] as const) {
      expect({ name, template: together[name].toJSON() }).toEqual({ name, template: synthesizeApp(apps[name]).app.toJSON() });
    }
    expect(Object.keys(together.jobs.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))).toEqual([]);
  });

  test('other AppStack properties are a synthesis of their own', () => {
    const priorities = (t: Template) => Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map((r) => r.Properties.Priority as number);

    expect(priorities(synthesizeApp(exampleApp, { listenerPriority: 4242 }).app)).toContain(4242);
    expect(priorities(synthesizeApp().app)).not.toContain(4242);
  });

  test('gives the templates Template.fromStack gives for the stacks bin/slipway-app.ts builds', () => {
    const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: exampleConfig.prefix, config: exampleConfig.clusters[0] });
    const database = new DatabaseStack(cdkApp, `Slipway-Database-${exampleApp.database}`, { prefix: exampleConfig.prefix, config: exampleConfig.databases.find((d) => d.name === exampleApp.database)!, cluster });
    const stack = new AppStack(cdkApp, 'Slipway-App-example', { prefix: exampleConfig.prefix, app: exampleApp, cluster, database: database.endpoint });

    const shared = synthesizeApp();

    expect(shared.app.toJSON()).toEqual(Template.fromStack(stack).toJSON());
    expect(shared.cluster.toJSON()).toEqual(Template.fromStack(cluster).toJSON());
    expect(shared.database?.toJSON()).toEqual(Template.fromStack(database).toJSON());
  });

  test('each call gives templates of its own: a test that changes one leaves the next call as synthesized', () => {
    const first = synthesizeApp();
    const resources = first.app.toJSON().Resources as Record<string, unknown>;
    for (const id of Object.keys(resources)) delete resources[id];

    expect(Object.keys(synthesizeApp().app.toJSON().Resources as object).length).toBeGreaterThan(0);
  });
});
