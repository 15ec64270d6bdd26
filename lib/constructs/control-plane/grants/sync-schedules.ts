import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { scheduleGroupPattern, TAG_CONTROL_PLANE } from '../../../../domain';
import type { ControlPlaneGrants } from '../grant-tools';

/** sync-schedules: the app's settings and schedules list, its current release, the apps' schedule groups, passing the scheduler role. */
export function grantSyncSchedules(g: ControlPlaneGrants): void {
  const sync = g.cp.functions.syncSchedules.role;
  g.readSettings(sync, ['schedules']);
  g.wildcardPolicy(
    sync,
    'SchedulesPolicy',
    `Schedules get their names from the app's list: limited to the groups of this control plane's apps (${scheduleGroupPattern(g.names.prefix, g.cp.name)}/*) tagged ${TAG_CONTROL_PLANE}=<this control plane>; scheduler:ListSchedules supports no resource-level permissions (the handler lists only the app's group); the apps' tables by tag.`,
    [
      new iam.PolicyStatement({
        sid: 'ManageAppSchedules',
        actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [Stack.of(g.cp).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${scheduleGroupPattern(g.names.prefix, g.cp.name)}/*` })],
        // Only in the schedule groups of this control plane's apps: schedules carry no tags of their own,
        // Scheduler authorizes them on their group's (Service Authorization Reference, Amazon EventBridge
        // Scheduler: CreateSchedule ... DeleteSchedule take aws:ResourceTag; EventBridge Scheduler User
        // Guide, "Managing a schedule group": "you apply tags to schedule groups, not to individual schedules").
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG_CONTROL_PLANE}`]: g.cp.name } },
      }),
      new iam.PolicyStatement({ sid: 'ListSchedules', actions: ['scheduler:ListSchedules'], resources: ['*'] }),
      g.appTables('ReadReleases', ['dynamodb:GetItem']),
    ],
  );
  sync.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'PassSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [g.cp.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  );
}
