import type { ControlPlaneGrants } from '../grant-tools';

/** parse-parameter-change: reads the app's settings (it serves one app per event), nothing else. */
export function grantParseParameterChange(g: ControlPlaneGrants): void {
  g.readSettings(g.cp.functions.parseParameterChange.role);
}
