/**
 * @deprecated — import from domain/ (domain/pipelines.ts, domain/names.ts, domain/constants.ts). Kept so
 * that the modules that import it today keep working until they switch.
 */
export * from '../domain/pipelines';
export { MILESTONE_SOURCE } from '../domain/constants';
export { scheduleGroupName, serviceName, stateMachineName, taskDefinitionFamily } from '../domain/names';
