import type { ControlPlaneGrants } from '../grant-tools';

/**
 * check-release-task: no grant. It judges the stopped release task its state passes it (exit codes, stop
 * code, log link) and calls no AWS API, not even for the app's settings.
 */
export function grantCheckReleaseTask(_g: ControlPlaneGrants): void {}
