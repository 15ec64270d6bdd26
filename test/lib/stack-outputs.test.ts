import { Match } from 'aws-cdk-lib/assertions';
import { STATE_MACHINES } from '../../domain/pipelines';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { exampleApp, exampleConfig, synthesizeApp, synthesizeApps } from '../helpers/example-stacks';

/** What a person looks up after a deploy is in the stacks' outputs, each with a description. */
describe('stack outputs', () => {
  const example = synthesizeApp();

  test('the cluster: the load balancer\'s DNS name', () => {
    example.cluster.hasOutput('LoadBalancerDnsName', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'DNSName'] }, Description: Match.stringLikeRegexp('CNAME') });
  });

  test('the cluster: each state machine\'s page in the Step Functions console, in the stack\'s region', () => {
    const outputs = Object.fromEntries(Object.entries(example.cluster.findOutputs('*')).filter(([id]) => id.endsWith('StateMachineConsoleUrl')));
    expect(Object.keys(outputs).sort()).toEqual(['BuildStateMachineConsoleUrl', 'ConfigChangeStateMachineConsoleUrl', 'DeployStateMachineConsoleUrl', 'ReleaseStateMachineConsoleUrl', 'SchedulesStateMachineConsoleUrl']);
    const machines = example.cluster.findResources('AWS::StepFunctions::StateMachine');
    for (const pipeline of STATE_MACHINES) {
      const id = pipeline.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
      const url = JSON.stringify(outputs[`${id}StateMachineConsoleUrl`].Value);
      const machine = Object.entries(machines).find(([, r]) => JSON.stringify(r.Properties.StateMachineName).includes(`-${pipeline}"`))![0];
      expect(url).toContain(`{"Ref":"${machine}"}`);
      expect(url).toContain('.console.aws.amazon.com/states/home?region=');
      expect(url).toContain('#/statemachines/view/');
      expect(outputs[`${id}StateMachineConsoleUrl`].Description).toContain(`${pipeline} executions`);
    }
  });

  test('the app: its HTTPS address, its log groups and their console pages, its build project', () => {
    example.app.hasOutput('AppUrl', { Value: 'https://example.apps.example.com/', Description: Match.stringLikeRegexp('HTTPS') });
    const logGroups = example.app.findResources('AWS::Logs::LogGroup');
    const idOf = (name: string) => Object.entries(logGroups).find(([, r]) => r.Properties.LogGroupName === name)![0];
    example.app.hasOutput('TaskLogGroup', { Value: { Ref: idOf('/slipway/apps/example') }, Description: Match.stringLikeRegexp('slipway logs') });
    example.app.hasOutput('BuildLogGroup', { Value: { Ref: idOf('/slipway/apps/example/builds') }, Description: Match.anyValue() });
    const console = JSON.stringify(example.app.findOutputs('TaskLogsConsoleUrl'));
    expect(console).toContain('#logsV2:log-groups/log-group/');
    expect(console).toContain('$252F');
    expect(JSON.stringify(example.app.findOutputs('BuildProjectConsoleUrl'))).toContain('codesuite/codebuild/projects/');
  });

  test('an app on plain HTTP says so; an app in a cluster without a domain gives its host pattern and how to reach it', () => {
    const staging = parseDeploymentConfig({ clusters: [{ name: 'staging' }], apps: [{ ...exampleApp, cluster: 'staging', database: undefined, databaseRemovalPolicy: undefined, hostname: undefined, httpOnly: true }] });
    const { domainless } = synthesizeApps({ domainless: staging.apps[0] }, staging);
    domainless.hasOutput('AppHostHeader', { Value: 'example.*', Description: Match.stringLikeRegexp("curl -H 'Host: example.test'") });
    expect(domainless.findOutputs('AppUrl')).toEqual({});
    const { plain } = synthesizeApps({ plain: { ...exampleApp, httpOnly: true } }, exampleConfig);
    plain.hasOutput('AppUrl', { Value: 'http://example.apps.example.com/', Description: Match.stringLikeRegexp('plain HTTP') });
  });
});
