/**
 * @deprecated — import from domain/ (domain/alerts.ts, domain/names.ts). Kept so that the modules that
 * import it today keep working until they switch.
 */
export * from '../domain/alerts';
export { serviceName } from '../domain/names';
