import type { ControlPlaneGrants } from '../grant-tools';
import { grantRegisterRevisions } from './task-definition-revisions';

/** register-task-definitions (build): the app's settings, revisions with the build's image, the app's task and execution roles. */
export function grantRegisterTaskDefinitions(g: ControlPlaneGrants): void {
  const role = g.cp.functions.registerTaskDefinitions.role;
  g.readSettings(role);
  grantRegisterRevisions(g, role, 'TaskDefinitionsPolicy');
  g.passAppRoles(role);
}
