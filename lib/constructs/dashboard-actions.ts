import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { appParameterPath, configParameterPath, dashboardActionsFunctionName, STATE_MACHINES, stateMachineName, TAG_CONTROL_PLANE } from '../../domain';
import { acknowledgeWildcards, parameterArn } from './policy-statements';
import { SlipwayFunction } from './slipway-function';

/** Properties of {@link DashboardActions}. */
export interface DashboardActionsProps {
  readonly prefix: string;
  /** The control planes (cluster names) whose executions the function may redrive and start deploys of. */
  readonly controlPlanes: readonly string[];
  /** Origins a browser may call the URL from (the dashboard's). @default none (no CORS) */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The dashboard's actions function (functions/dashboard-actions): redrive, rollback and deploy, behind a
 * function URL with IAM auth (`AuthType: AWS_IAM`: only principals granted lambda:InvokeFunctionUrl
 * reach it, the people role among them; Lambda Developer Guide, "Control access to Lambda function
 * URLs"). It reads the caller's app from the caller's assumed-role ARN and acts only for that app. Its
 * role: the apps' settings parameters (never their config values), the apps' tables of these control
 * planes (by tag, read-only), and on the control planes' state machines: read executions, redrive them,
 * start the deploy state machine. IAM cannot tell one app's build executions from another's (EventBridge
 * names them), so the app is checked by the function (lib/ops: WrongApp), as the CLI checks it.
 */
export class DashboardActions extends Construct {
  public readonly fn: SlipwayFunction;
  public readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: DashboardActionsProps) {
    super(scope, id);
    const { prefix, controlPlanes } = props;
    if (controlPlanes.length === 0) throw new Error('DashboardActions: no control plane (the config names no cluster)');
    const stack = Stack.of(this);
    this.fn = new SlipwayFunction(this, 'Function', {
      name: 'dashboard-actions',
      functionName: dashboardActionsFunctionName(prefix),
      description: 'Slipway dashboard: redrive, rollback and deploy for the caller\'s app',
      environment: { SLIPWAY_PREFIX: prefix },
      timeout: Duration.seconds(30),
    });
    const states = (resource: string, name: string) => stack.formatArn({ service: 'states', resource, resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const machines = controlPlanes.flatMap((cp) => STATE_MACHINES.map((p) => stateMachineName(prefix, cp, p)));
    const anyApp = appParameterPath(prefix, '*');
    this.fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadSettings', actions: ['ssm:GetParameter'], resources: [parameterArn(this, `${anyApp}/settings`)] }));
    // `/<prefix>/apps/*/settings` would also match a config key named "settings" (`…/config/settings`): never config values.
    this.fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'NoConfigValues', effect: iam.Effect.DENY, actions: ['ssm:GetParameter'], resources: [parameterArn(this, `${configParameterPath(anyApp)}/*`)] }));
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAppRecords',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: [...controlPlanes] } },
      }),
    );
    this.fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadPipelines', actions: ['states:ListExecutions', 'states:DescribeStateMachine'], resources: machines.map((m) => states('stateMachine', m)) }));
    this.fn.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadAndRedriveExecutions', actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:RedriveExecution'], resources: machines.map((m) => states('execution', `${m}:*`)) }),
    );
    this.fn.role.addToPolicy(new iam.PolicyStatement({ sid: 'StartDeploys', actions: ['states:StartExecution'], resources: controlPlanes.map((cp) => states('stateMachine', stateMachineName(prefix, cp, 'deploy'))) }));
    acknowledgeWildcards(
      this.fn.role,
      `Executions of this deployment's control planes' state machines only (${machines.join(', ')}): the function serves every app and refuses another app than the caller's session's (WrongApp), as IAM cannot tell build executions (named by EventBridge) apart; settings parameters of the apps under /${prefix}/apps/ (config values denied); app tables only by their ${TAG_CONTROL_PLANE} tag; X-Ray has no resource-level permissions.`,
    );
    this.url = this.fn.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      cors: {
        allowedOrigins: [...(props.allowedOrigins ?? [])],
        allowedMethods: [lambda.HttpMethod.POST],
        allowedHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
        maxAge: Duration.minutes(10),
      },
    });
  }
}
