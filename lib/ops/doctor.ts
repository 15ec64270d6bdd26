import { ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { ListTagsForResourceCommand } from '@aws-sdk/client-scheduler';
import { scheduleGroupName, TAG_APP, TAG_CONTROL_PLANE } from '../../domain/names';
import { ABAC_CHECK } from '../../domain/abac';
import { UsageError } from './usage-error';
import { aws, locateApp, type LocateOptions, type OpsClients } from './aws';

/**
 * `slipway doctor <app>`: the account's prerequisites of the shared control plane, for one app. The
 * control plane's grants on an app's table and schedule group are attribute-based: they hold only for
 * resources tagged `slipway:control-plane=<the app's cluster>` (docs/control-plane.md), and only where
 * DynamoDB evaluates tags at all (DynamoDB attribute-based access control, per account and Region).
 */

/** `ok`: checked and fine; `failed`: checked and wrong (exit 1); `manual`: AWS offers no API for it, a person checks it as `detail` says. */
export type CheckStatus = 'ok' | 'failed' | 'manual';

export interface DoctorCheck {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface DoctorReport {
  readonly app: string;
  readonly account: string;
  readonly region: string;
  readonly checks: readonly DoctorCheck[];
  /** Whether no check failed. */
  readonly ok: boolean;
}

/** The clients {@link doctor} uses. */
export type DoctorClients = OpsClients;

/** The tags a resource must carry for the app's control plane, and what is wrong with `tags`, if anything. */
export function missingTags(tags: Readonly<Record<string, string | undefined>>, app: string, controlPlane: string): string[] {
  const wanted: Record<string, string> = { [TAG_CONTROL_PLANE]: controlPlane, [TAG_APP]: app };
  return Object.entries(wanted)
    .filter(([k, v]) => tags[k] !== v)
    .map(([k, v]) => (tags[k] === undefined ? `${k}=${v} is missing` : `${k} is "${tags[k]}", not "${v}"`));
}

/** Checks the account's prerequisites for `app` (see the module's comment). */
export async function doctor(clients: DoctorClients, app: string, options: LocateOptions = {}): Promise<DoctorReport> {
  if (!clients.scheduler) throw new UsageError('slipway doctor needs an EventBridge Scheduler client (OpsClients.scheduler)');
  const scheduler = clients.scheduler;
  const target = await locateApp(clients, app, options);
  const checks: DoctorCheck[] = [{ check: 'settings', status: 'ok', detail: `${target.settingsParameter}: control plane ${target.controlPlane}, table ${target.tableName}` }];

  const tableArn = `arn:${target.partition}:dynamodb:${target.region}:${target.account}:table/${target.tableName}`;
  const tableTags = await aws(`DynamoDB ListTagsOfResource ${target.tableName}`, () => clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: tableArn })));
  const tableProblems = missingTags(Object.fromEntries((tableTags.Tags ?? []).map((t) => [t.Key ?? '', t.Value])), app, target.controlPlane);
  checks.push({
    check: 'table-tags',
    status: tableProblems.length === 0 ? 'ok' : 'failed',
    detail: tableProblems.length === 0 ? `table ${target.tableName} is tagged for control plane ${target.controlPlane}` : `table ${target.tableName}: ${tableProblems.join('; ')}: the control plane cannot record this app's builds and releases (deploy the app stack again)`,
  });

  const group = scheduleGroupName(target.prefix, target.controlPlane, app);
  const groupArn = `arn:${target.partition}:scheduler:${target.region}:${target.account}:schedule-group/${group}`;
  const groupTags = await aws(`Scheduler ListTagsForResource ${group}`, () => scheduler.send(new ListTagsForResourceCommand({ ResourceArn: groupArn })));
  const groupProblems = missingTags(Object.fromEntries((groupTags.Tags ?? []).map((t) => [t.Key, t.Value])), app, target.controlPlane);
  checks.push({
    check: 'schedule-group-tags',
    status: groupProblems.length === 0 ? 'ok' : 'failed',
    detail: groupProblems.length === 0 ? `schedule group ${group} is tagged for control plane ${target.controlPlane}` : `schedule group ${group}: ${groupProblems.join('; ')}: the control plane cannot sync this app's schedules (deploy the app stack again)`,
  });

  checks.push({ check: 'dynamodb-abac', status: 'manual', detail: ABAC_CHECK });
  return { app, account: target.account, region: target.region, checks, ok: checks.every((c) => c.status !== 'failed') };
}
