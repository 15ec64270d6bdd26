/**
 * The environment variable every app's CodeBuild project carries to say which control plane builds it:
 * CodeBuild's "Build State Change" events list the build's environment variables
 * (`detail.additional-information.environment.environment-variables`, CodeBuild User Guide, "Build
 * notifications sample", the event's reference), so each cluster's build rule matches its own apps' builds
 * only, with no rule per app. Shared by the control plane's rule (lib/constructs/control-plane.ts), the
 * app's project (lib/constructs/app-build.ts) and the simulated account's rule (lib/local/serve/door.ts).
 */
export const CONTROL_PLANE_BUILD_VARIABLE = 'SLIPWAY_CONTROL_PLANE';

/** The value of {@link CONTROL_PLANE_BUILD_VARIABLE}: distinctive, so that no other variable's value matches it. */
export function controlPlaneBuildMarker(prefix: string, controlPlane: string): string {
  return `${prefix}/control-plane/${controlPlane}`;
}
