import { ECSClient } from '@aws-sdk/client-ecs';

/** The Amazon ECS client, built once per Lambda container. */
export const ecs = new ECSClient({});
