/**
 * Slipway's domain module: the one owner of each fact that crosses a seam. Handlers, constructs, the CLI,
 * the local runner, the bench and the tests import these, never a copy.
 *
 * - ./constants.ts: numbers and literals the ASL files also use (checked against them by a test).
 * - ./table.ts: the keys and item shapes of the app and control tables, with their read/write helpers.
 * - ./names.ts: every resource name and ARN-part builder (state machines, services, families, parameters,
 *   scalable targets, executions, tags, log groups).
 * - ./pipelines.ts: the contract between the ASL files and the construct (handlers, placeholders, milestones).
 * - ./alerts.ts: the alert topics and the app's alarm names.
 *
 * Pure TypeScript: no CDK and no AWS SDK client (the handlers' bundles include it).
 */
export * from './constants';
export * from './table';
export * from './names';
export * from './pipelines';
export * from './alerts';
export * from './abac';
export * from './dashboard';
