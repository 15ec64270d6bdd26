import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DEADLINE_CHECK_SECONDS, executionStatusEventPattern, MILESTONE_SOURCE, STATE_MACHINES, appsParameterRoot, type Milestone, type PipelineFunctionKey, type StateMachineName } from '../../../domain';
import { controlPlaneBuildMarker } from '../../../domain/build-marker';
import type { SlipwayFunction } from '../slipway-function';

/** The milestone event that re-syncs the schedules (contract of the deploy state machine's events). */
export const DEPLOY_SUCCEEDED = { source: MILESTONE_SOURCE, detailType: 'Deploy Succeeded' satisfies Milestone } as const;

/** The rules a control plane puts on the default event bus: seven per cluster, whatever the number of apps. */
export interface ControlPlaneRules {
  /** Starts `build` on the build state changes of every Slipway CodeBuild project (`<prefix>-*`) marked for this control plane. */
  readonly build: events.Rule;
  /** Sends the ECS deployment state changes of the cluster's services to `deployment-events`. */
  readonly deploymentEvents: events.Rule;
  /** Runs `execution-status` on a schedule (the sweep of the cluster: status events that were missed). */
  readonly sweep: events.Rule;
  /**
   * Runs `deployment-events` every minute (DEADLINE_CHECK_SECONDS): a deployment still in progress at
   * its deploy timeout fails with DeploymentTimedOut within a minute of it, and a deployment whose ECS
   * event was lost is resumed.
   */
  readonly deadlineCheck: events.Rule;
  /** Sends the status changes of the control plane's executions (failed, timed out, aborted, redriven) to `execution-status`. */
  readonly executionStatus: events.Rule;
  /** Parameter Store changes under `/<prefix>/apps/` start `config-change`. */
  readonly parameterChange: events.Rule;
  /** "Deploy Succeeded" milestones of this control plane's deploys start `schedules`. */
  readonly deploySucceeded: events.Rule;
}

/** What the rules start and match: the control plane's names, state machines and functions. */
export interface RuleTargets {
  readonly prefix: string;
  /** The control plane's name (the cluster's). */
  readonly name: string;
  readonly clusterName: string;
  readonly sweepInterval?: Duration;
  readonly stateMachines: Record<StateMachineName, sfn.StateMachine>;
  readonly functions: Record<PipelineFunctionKey, SlipwayFunction>;
  /** `<prefix>-<control plane>-<pipeline>`. */
  stateMachineName(pipeline: StateMachineName): string;
  stateMachineArn(pipeline: StateMachineName): string;
  /** See ControlPlane.executionArnPrefix. */
  executionArnPrefix(pipeline?: StateMachineName): string;
  /** ARN of a service of the cluster (`''` for the prefix of them all). */
  serviceArn(name: string): string;
}

/**
 * The control plane's EventBridge rules ({@link ControlPlaneRules}) and the one role EventBridge starts
 * the three state machines its rules target with (CDK would make one each), created in `scope` (the
 * ControlPlane: their logical IDs are its children's).
 */
export function addControlPlaneRules(scope: Construct, t: RuleTargets): ControlPlaneRules {
  const eventsRole = new iam.Role(scope, 'EventsRole', {
    assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } } }),
    description: `EventBridge starts the ${t.name} control plane's build, config-change and schedules state machines`,
  });
  const startedByEvents = (pipeline: StateMachineName) => new targets.SfnStateMachine(t.stateMachines[pipeline], { role: eventsRole });

  const build = new events.Rule(scope, 'BuildStateChangeRule', {
    description: `Starts ${t.stateMachineName('build')} when a build of a Slipway project (${t.prefix}-<app>) of an app of ${t.name} changes state`,
    eventPattern: {
      source: ['aws.codebuild'],
      detailType: ['CodeBuild Build State Change'],
      detail: {
        // Every app's project is `<prefix>-<app>`; the build state machine derives the app from it.
        'project-name': events.Match.prefix(`${t.prefix}-`),
        // ... and says which control plane builds it (an array of {name, type, value}: EventBridge
        // matches when one element's value is the marker).
        'additional-information': { environment: { 'environment-variables': { value: [controlPlaneBuildMarker(t.prefix, t.name)] } } },
      },
    },
    // No `input`: the whole event is the execution's input.
    targets: [startedByEvents('build')],
  });
  const deploymentEvents = new events.Rule(scope, 'DeploymentStateChangeRule', {
    description: `Resumes ${t.stateMachineName('deploy')} executions waiting on deployments of services in ${t.clusterName}`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Deployment State Change'],
      resources: events.Match.prefix(t.serviceArn('')),
    },
    targets: [new targets.LambdaFunction(t.functions.deploymentEvents.function)],
  });
  const sweep = new events.Rule(scope, 'SweepRule', {
    description: `Checks the failure records of every app of ${t.name} when status events were missed`,
    schedule: events.Schedule.rate(t.sweepInterval ?? Duration.minutes(5)),
    // execution-status repairs the records of executions whose status event never arrived.
    targets: [new targets.LambdaFunction(t.functions.executionStatus.function)],
  });
  // Every minute, not with the 5-minute sweep: a deploy timeout of 30 minutes must fail the deploy at
  // 30 minutes, not at the next 5-minute sweep after it (up to 35).
  const deadlineCheck = new events.Rule(scope, 'DeadlineCheckRule', {
    description: `Fails the deploys of every app of ${t.name} whose deployment is past its deploy timeout, and resumes those whose ECS event was lost`,
    schedule: events.Schedule.rate(Duration.seconds(DEADLINE_CHECK_SECONDS)),
    targets: [new targets.LambdaFunction(t.functions.deploymentEvents.function)],
  });
  const pattern = executionStatusEventPattern(STATE_MACHINES.map((n) => t.stateMachineArn(n)));
  const executionStatus = new events.Rule(scope, 'ExecutionStatusRule', {
    description: `Records, releases and announces failed and redriven executions of the ${t.name} control plane`,
    eventPattern: { source: [...pattern.source], detailType: [...pattern['detail-type']], detail: pattern.detail },
    targets: [new targets.LambdaFunction(t.functions.executionStatus.function)],
  });
  const appsPath = appsParameterRoot(t.prefix);
  const parameterChange = new events.Rule(scope, 'ParameterChangeRule', {
    description: `Starts ${t.stateMachineName('config-change')} on Parameter Store changes under ${appsPath}`,
    eventPattern: { source: ['aws.ssm'], detailType: ['Parameter Store Change'], detail: { name: events.Match.prefix(appsPath) } },
    targets: [startedByEvents('config-change')],
  });
  const deploySucceeded = new events.Rule(scope, 'DeploySucceededRule', {
    description: `Syncs an app's schedules to its current release after every successful deploy of ${t.stateMachineName('deploy')}`,
    eventPattern: {
      source: [DEPLOY_SUCCEEDED.source],
      detailType: [DEPLOY_SUCCEEDED.detailType],
      // Only this control plane's deploys (the milestone's `execution` is the deploy execution's ARN).
      detail: { execution: events.Match.prefix(t.executionArnPrefix('deploy')) },
    },
    targets: [startedByEvents('schedules')],
  });
  return { build, deploymentEvents, sweep, deadlineCheck, executionStatus, parameterChange, deploySucceeded };
}
