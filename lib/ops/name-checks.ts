import { APP_NAME, nameRule, PROCESS_NAME } from '../../domain/names';
import { UsageError } from './usage-error';

/*
 * The checks of the names a person types (an app, a process type) before they go into ARNs, resource
 * names or log stream prefixes: the rules are domain/names.ts's; no AWS SDK here, so a usage error costs
 * no SDK load.
 */

/** Checks an app name. @throws UsageError */
export function checkAppName(app: string): void {
  if (!APP_NAME.test(app)) throw new UsageError(`"${app}" is not an app name (${nameRule('app')})`);
}

/** Checks a process type name; `label` names where it came from (`--process`). @throws UsageError */
export function checkProcessName(process: string, label = 'process'): void {
  if (!PROCESS_NAME.test(process)) throw new UsageError(`${label} ${JSON.stringify(process.slice(0, 40))} is not a process type name (${nameRule('process')})`);
}
