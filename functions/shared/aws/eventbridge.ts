import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/** The Amazon EventBridge client, built once per Lambda container. */
export const eventbridge = new EventBridgeClient({});
