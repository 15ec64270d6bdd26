/**
 * Keys of the items in the app's table that the state machines (ASL) and the handlers both write. The
 * ASL files spell the same keys as literals; test/statemachines/records.test.ts checks they agree.
 */

/** A build's record: `pk = "BUILD"`, `sk = <build sort key>` (the ASL's `$.build.sortKey`). */
export const BUILD_PK = 'BUILD';

/** The app's deploy claim: the newest build being deployed and the execution that holds it. */
export const DEPLOY_CLAIM = { pk: 'APP', sk: 'DEPLOY' } as const;

/** The config-change redeploy claim: a redeploy is scheduled by the execution in `claimedBy`. */
export const CONFIG_REDEPLOY_CLAIM = { pk: 'CONFIG', sk: 'REDEPLOY' } as const;

/**
 * What execution-status last processed for an execution: `pk = "EXECUTION"`, `sk = <execution ARN>`,
 * with the status, redrive count and rank of that event (see functions/execution-status/decide.ts).
 */
export const EXECUTION_PK = 'EXECUTION';
