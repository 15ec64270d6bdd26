/**
 * AWS SDK clients, built once per Lambda container (module scope). A handler imports each client it uses
 * from `./aws/<service>`, so its bundle loads only those SDK packages (loading the SDK is most of a cold
 * start); tests and the local runner take them all from here and swap their `send` with
 * aws-sdk-client-mock. These are the same instances either way.
 */
export { ecs } from './aws/ecs';
export { dynamodb } from './aws/dynamodb';
export { sfn } from './aws/sfn';
export { autoscaling } from './aws/autoscaling';
export { ssm } from './aws/ssm';
export { scheduler } from './aws/scheduler';
export { eventbridge } from './aws/eventbridge';
