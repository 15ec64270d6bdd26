import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';

/** The Application Auto Scaling client, built once per Lambda container. */
export const autoscaling = new ApplicationAutoScalingClient({});
