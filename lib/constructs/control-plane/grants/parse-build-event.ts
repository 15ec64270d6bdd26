import type { ControlPlaneGrants } from '../grant-tools';

/** parse-build-event: reads the app's settings (it serves one app per event), nothing else. */
export function grantParseBuildEvent(g: ControlPlaneGrants): void {
  g.readSettings(g.cp.functions.parseBuildEvent.role);
}
