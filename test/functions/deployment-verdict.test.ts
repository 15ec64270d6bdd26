import { awsEvent, taskDefArn } from './helpers';
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { deploymentVerdict, revisionOf, type DeploymentEventFacts, type WaitedDeployment } from '../../functions/shared/deployment-verdict';

const FAMILY = 'slipway-example--web';
const waited: WaitedDeployment = { process: 'web', serviceName: 'example--web', deploymentId: 'ecs-svc/123', taskDefinitionArn: taskDefArn(FAMILY, 8) };

function deployment(d: Partial<Deployment>): Deployment {
  return { id: 'ecs-svc/123', status: 'PRIMARY', taskDefinition: taskDefArn(FAMILY, 8), rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2, ...d };
}

function service(deployments: Deployment[], extra: Partial<Service> = {}): Service {
  return {
    serviceName: 'example--web',
    status: 'ACTIVE',
    deployments,
    deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    ...extra,
  };
}

/** The facts of a published ECS Deployment State Change event (detail fields as published). */
function facts(file: string): DeploymentEventFacts {
  const { detail } = awsEvent<{ detail: { eventName: string; deploymentId: string; reason: string } }>(file);
  return { eventName: detail.eventName, deploymentId: detail.deploymentId, reason: detail.reason };
}

describe('revisionOf', () => {
  it('reads the revision number of a task-definition ARN', () => {
    expect(revisionOf(taskDefArn(FAMILY, 42))).toBe(42);
  });

  it('is undefined without an ARN', () => {
    expect(revisionOf(undefined)).toBeUndefined();
  });
});

describe('deploymentVerdict from the service', () => {
  it('is COMPLETED when our deployment is primary and its rollout completed', () => {
    // Prepare
    const svc = service([deployment({ rolloutState: 'COMPLETED', runningCount: 2, desiredCount: 2 })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toEqual({ state: 'COMPLETED', runningCount: 2, desiredCount: 2 });
  });

  it('is IN_PROGRESS with the task counts while our primary deployment rolls out', () => {
    // Prepare
    const svc = service([deployment({ rolloutState: 'IN_PROGRESS', runningCount: 1, desiredCount: 2 }), deployment({ id: 'ecs-svc/100', status: 'ACTIVE', taskDefinition: taskDefArn(FAMILY, 7) })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toEqual({ state: 'IN_PROGRESS', runningCount: 1, desiredCount: 2 });
  });

  it('is ROLLED_BACK (DeploymentRolledBack) when our rollout failed and the circuit breaker rolls back', () => {
    // Prepare
    const svc = service([
      deployment({ id: 'ecs-svc/200', status: 'PRIMARY', taskDefinition: taskDefArn(FAMILY, 7), rolloutState: 'IN_PROGRESS' }),
      deployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
    ]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'ROLLED_BACK', error: 'DeploymentRolledBack' });
    expect(verdict.cause).toContain('web deployment ecs-svc/123 of service example--web failed and ECS rolled it back');
    expect(verdict.cause).toContain('tasks failed to start');
  });

  it('is FAILED (DeploymentFailed) when our rollout failed and rollback is disabled', () => {
    // Prepare
    const svc = service([deployment({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' })], {
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    });

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'FAILED', error: 'DeploymentFailed' });
    expect(verdict.cause).toContain('failed: ECS deployment circuit breaker');
    expect(verdict.cause).not.toContain('rolled');
  });

  it('is SUPERSEDED when a newer revision replaced ours', () => {
    // Prepare: our deployment is gone; the primary runs revision 9.
    const svc = service([deployment({ id: 'ecs-svc/300', taskDefinition: taskDefArn(FAMILY, 9) })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'SUPERSEDED', error: 'DeploymentSuperseded' });
    expect(verdict.cause).toContain(`replaced by deployment ecs-svc/300 of ${taskDefArn(FAMILY, 9)}`);
  });

  it('is SUPERSEDED when ours is still active but no longer primary', () => {
    // Prepare
    const svc = service([deployment({ id: 'ecs-svc/300', taskDefinition: taskDefArn(FAMILY, 9) }), deployment({ status: 'ACTIVE' })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict.state).toBe('SUPERSEDED');
  });

  it('is ROLLED_BACK when ours is gone and the primary is on an older revision of the family', () => {
    // Prepare
    const svc = service([deployment({ id: 'ecs-svc/200', taskDefinition: taskDefArn(FAMILY, 7), rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc/200 completed.' })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'ROLLED_BACK', error: 'DeploymentRolledBack' });
    expect(verdict.cause).toContain(`the service is on ${taskDefArn(FAMILY, 7)} again`);
  });

  it('follows another deployment of our own revision (a forced new deployment)', () => {
    // Prepare
    const svc = service([deployment({ id: 'ecs-svc/400', rolloutState: 'COMPLETED' })]);

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict.state).toBe('COMPLETED');
  });

  it.each(['INACTIVE', 'DRAINING'])('is FAILED (DeploymentFailed) when the service is %s', (status) => {
    // Prepare
    const svc = service([], { status });

    // Act
    const verdict = deploymentVerdict(svc, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'FAILED', error: 'DeploymentFailed' });
    expect(verdict.cause).toContain(`service example--web is ${status}`);
  });

  it('is FAILED when the service is missing', () => {
    // Act
    const verdict = deploymentVerdict(undefined, waited);

    // Assess
    expect(verdict).toMatchObject({ state: 'FAILED', error: 'DeploymentFailed', cause: expect.stringContaining('is missing') });
  });
});

describe('deploymentVerdict with the facts of a Deployment State Change event', () => {
  // The published events are about deployment "ecs-svc/123", the id `waited` uses.
  const rollingOut = service([deployment({ rolloutState: 'IN_PROGRESS' })]);

  it('is COMPLETED on SERVICE_DEPLOYMENT_COMPLETED for our deployment, before DescribeServices catches up', () => {
    // Act
    const verdict = deploymentVerdict(rollingOut, waited, facts('ecs-deployment-completed.json'));

    // Assess
    expect(verdict).toEqual({ state: 'COMPLETED' });
  });

  it('is ROLLED_BACK on SERVICE_DEPLOYMENT_FAILED for our deployment, with the event reason', () => {
    // Act
    const verdict = deploymentVerdict(rollingOut, waited, facts('ecs-deployment-failed.json'));

    // Assess
    expect(verdict).toMatchObject({ state: 'ROLLED_BACK', error: 'DeploymentRolledBack' });
    expect(verdict.cause).toContain('ECS deployment circuit breaker: task failed to start.');
  });

  it('is FAILED on SERVICE_DEPLOYMENT_FAILED when the service does not roll back', () => {
    // Prepare
    const noRollback = service([deployment({})], { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } });

    // Act
    const verdict = deploymentVerdict(noRollback, waited, facts('ecs-deployment-failed.json'));

    // Assess
    expect(verdict).toMatchObject({ state: 'FAILED', error: 'DeploymentFailed', cause: expect.stringContaining('task failed to start') });
  });

  it("ignores the event of another deployment and judges from the service", () => {
    // Prepare
    const other = { ...facts('ecs-deployment-completed.json'), deploymentId: 'ecs-svc/999' };

    // Act
    const verdict = deploymentVerdict(rollingOut, waited, other);

    // Assess
    expect(verdict.state).toBe('IN_PROGRESS');
  });
});
