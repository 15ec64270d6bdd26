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
 * - ./settings.ts: the app's settings record (schema, reader) the app stack writes and the handlers read.
 * - ./schedules.ts: scheduled tasks (entry schema, schedule names, cron/rate expression rules).
 * - ./scale-schedule.ts: a non-production app's scale-to-zero schedule (weekdays, time of day, time zones).
 * - ./config-keys.ts: config key names and what a parameter name under the app's path means.
 * - ./database.ts: the PostgreSQL names the database manager accepts and the results it returns.
 * - ./executions.ts: execution statuses, the history quota, the redrive window and rule, ECS tasks in causes.
 * - ./json.ts: the two meanings of JSON, JsonValue (any JSON value) and JsonObject (an object of unknown keys).
 *
 * The modules below the barrel (settings, schedules, scale-schedule, config-keys, database, executions) are imported
 * by path, not re-exported here: they bring zod and cron-validate, which a handler that needs only names
 * should not bundle.
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
