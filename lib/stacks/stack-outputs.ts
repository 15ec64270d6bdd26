import { Aws, CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STATE_MACHINES, type StateMachineName } from '../../domain/pipelines';
import { appServing } from '../app-hostname';
import type { AppConfig } from '../deployment-config';

/**
 * The stack outputs: what a person looks up after `cdk deploy` (`cdk deploy` prints them; later
 * `aws cloudformation describe-stacks --stack-name <stack> --query 'Stacks[0].Outputs'`). Each has a
 * description that says what it is for. Outputs are not resources: adding them changes no logical ID.
 */

/** The AWS console's address for the stack's region (`console.aws.amazon.com`; other partitions have their own). */
const consoleHome = (service: string) => `https://${Aws.REGION}.console.aws.amazon.com/${service}/home?region=${Aws.REGION}`;

/** `config-change` -> `ConfigChange`: an output ID (alphanumeric). */
const pascal = (name: string) => name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** A log group's page in the CloudWatch console (its name, `/` written `$252F` as the console's address does). */
export function logGroupConsoleUrl(logGroupName: string): string {
  return `${consoleHome('cloudwatch')}#logsV2:log-groups/log-group/${Fn.join('$252F', Fn.split('/', logGroupName))}`;
}

/** The cluster stack's outputs: the load balancer's DNS name, and the console page of each state machine. */
export function addClusterOutputs(stack: Stack, props: { readonly loadBalancer: elbv2.IApplicationLoadBalancer; readonly stateMachines: Record<StateMachineName, sfn.IStateMachine> }): void {
  new CfnOutput(stack, 'LoadBalancerDnsName', {
    value: props.loadBalancer.loadBalancerDnsName,
    description: 'The load balancer every app of the cluster is served by: point a hostname outside the cluster\'s domain at it with a CNAME',
  });
  for (const pipeline of STATE_MACHINES) {
    new CfnOutput(stack, `${pascal(pipeline)}StateMachineConsoleUrl`, {
      value: `${consoleHome('states')}#/statemachines/view/${props.stateMachines[pipeline].stateMachineArn}`,
      description: `The ${pipeline} state machine in the Step Functions console: every app's ${pipeline} executions, redrive from the failed step`,
    });
  }
}

/** The app stack's outputs: the app's address, its log groups (names and console pages), its build project. */
export function addAppOutputs(stack: Stack, props: { readonly app: AppConfig; readonly clusterDomain?: string; readonly taskLogGroup: logs.ILogGroup; readonly buildLogGroup: logs.ILogGroup; readonly buildProject: string }): void {
  const { app } = props;
  if (app.processes.web) {
    const serving = appServing(app, props.clusterDomain);
    if (!('problem' in serving)) {
      const scheme = serving.kind === 'http' ? 'http' : 'https';
      if (/[*?]/.test(serving.hostname)) {
        new CfnOutput(stack, 'AppHostHeader', {
          value: serving.hostname,
          description: `The host names the web process answers (a wildcard: the cluster has no domain): e.g. curl -H 'Host: ${app.name}.test' http://<the cluster stack's LoadBalancerDnsName>/`,
        });
      } else {
        new CfnOutput(stack, 'AppUrl', { value: `${scheme}://${serving.hostname}/`, description: `The address of the app's web process (${scheme === 'https' ? 'HTTPS' : 'plain HTTP, httpOnly'})` });
      }
    }
  }
  new CfnOutput(stack, 'TaskLogGroup', { value: props.taskLogGroup.logGroupName, description: 'The log group of the app\'s tasks (every process, the release task, scheduled tasks): slipway logs <app> reads it' });
  new CfnOutput(stack, 'TaskLogsConsoleUrl', { value: logGroupConsoleUrl(props.taskLogGroup.logGroupName), description: 'The tasks\' log group in the CloudWatch console' });
  new CfnOutput(stack, 'BuildLogGroup', { value: props.buildLogGroup.logGroupName, description: 'The log group of the app\'s CodeBuild builds (docker build and push)' });
  new CfnOutput(stack, 'BuildProjectConsoleUrl', {
    value: `https://${Aws.REGION}.console.aws.amazon.com/codesuite/codebuild/projects/${props.buildProject}/history?region=${Aws.REGION}`,
    description: 'The app\'s CodeBuild project (its builds and their logs) in the console',
  });
}
