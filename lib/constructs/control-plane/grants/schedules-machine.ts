import type { ControlPlaneGrants } from '../grant-tools';

/** The schedules state machine: one handler (sync-schedules) does the validation and the changes. */
export function grantSchedulesMachine(g: ControlPlaneGrants): void {
  g.invoke('schedules', 'syncSchedules');
}
