import type { RegisterTaskDefinitionCommandInput, TaskDefinition, Tag } from '@aws-sdk/client-ecs';
import { TAG_APP, TAG_BUILD } from '../../domain/names';
import type { AppSettings, ProcessSettings } from '../../domain/settings';

/** The build a task definition is registered for. */
export interface BuildRef {
  readonly key: string;
  readonly image: string;
  readonly commit?: string;
}

/** The RegisterTaskDefinition request of one process type for one build. */
export function taskDefinitionRequest(settings: AppSettings, process: string, p: ProcessSettings, build: BuildRef): RegisterTaskDefinitionCommandInput {
  return {
    family: p.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: p.cpu,
    memory: p.memory,
    executionRoleArn: p.executionRoleArn,
    taskRoleArn: p.taskRoleArn,
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    containerDefinitions: [
      {
        name: process,
        image: build.image,
        essential: true,
        command: p.command,
        portMappings: p.port ? [{ containerPort: p.port, protocol: 'tcp' }] : undefined,
        environment: [
          ...p.environment,
          { name: 'SLIPWAY_APP', value: settings.app },
          { name: 'SLIPWAY_PROCESS', value: process },
          { name: 'SLIPWAY_BUILD', value: build.key },
        ],
        secrets: p.secrets.length > 0 ? p.secrets : undefined,
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': p.logGroup, 'awslogs-region': settings.region, 'awslogs-stream-prefix': process },
        },
      },
    ],
    tags: [
      { key: TAG_APP, value: settings.app },
      { key: TAG_BUILD, value: build.key },
    ],
  };
}

/**
 * Finds a revision already registered for this build and image (a re-run after a redrive or a duplicate
 * event), so a build never gets two revisions of the same process.
 */
export function findReusableRevision(candidates: { taskDefinition?: TaskDefinition; tags?: Tag[] }[], build: BuildRef): string | undefined {
  for (const c of candidates) {
    const tagged = c.tags?.some((t) => t.key === TAG_BUILD && t.value === build.key);
    const image = c.taskDefinition?.containerDefinitions?.[0]?.image;
    if (tagged && image === build.image && c.taskDefinition?.taskDefinitionArn && c.taskDefinition.status !== 'DELETE_IN_PROGRESS') {
      return c.taskDefinition.taskDefinitionArn;
    }
  }
  return undefined;
}
