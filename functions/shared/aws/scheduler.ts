import { SchedulerClient } from '@aws-sdk/client-scheduler';

/** The EventBridge Scheduler client, built once per Lambda container. */
export const scheduler = new SchedulerClient({});
