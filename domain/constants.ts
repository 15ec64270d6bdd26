/**
 * Numbers and literals that more than one layer uses (handlers, ASL files, constructs, CLI, local runner).
 * Where an ASL file spells the same value, test/domain/asl-constants.test.ts reads the file and checks
 * it equals the constant here: change a value here and that test names every ASL site to change with it.
 */

/** The resource-name prefix when the config (`prefix`) or the CLI (`--prefix`, SLIPWAY_PREFIX) names none. */
export const DEFAULT_PREFIX = 'slipway';

/** `Source` of the milestone events the pipelines put on the default event bus (the ASL's PutEvents `Source`). */
export const MILESTONE_SOURCE = 'slipway';

/** Digits of a build's sort key: a build number zero-padded so that the table sorts builds by number. */
export const BUILD_SORT_KEY_DIGITS = 10;

/** Seconds the config-change machine waits between checks of a running deploy or release (its "Wait for the running deploy" state). */
export const RUNNING_DEPLOY_CHECK_SECONDS = 30;

/** Checks before a config change gives up waiting for a running deploy (240 x 30 s = 2 h). */
export const MAX_RUNNING_DEPLOY_CHECKS = 240;

/** Seconds a config change waits for more changes before the app is redeployed, unless the app's config says otherwise. */
export const CONFIG_DEBOUNCE_DEFAULT_SECONDS = 30;

/** How long a deploy may take before it fails with DeploymentTimedOut, unless the app's config says otherwise (minutes). */
export const DEPLOY_TIMEOUT_DEFAULT_MINUTES = 30;
/** The longest deploy timeout an app may configure (a day); the deploy input is held to it too. */
export const DEPLOY_TIMEOUT_MAX_MINUTES = 1440;

/**
 * Seconds between the deadline checks of waiting deploys (the control plane's `DeadlineCheckRule`, a
 * `rate(1 minute)` schedule: EventBridge's finest rate). A deployment still in progress at its deploy
 * timeout fails with DeploymentTimedOut at the first check after it, so at most this late.
 */
export const DEADLINE_CHECK_SECONDS = 60;

/** The average CPU utilisation (percent) an autoscaled process is kept at, unless its config says otherwise. */
export const CPU_TARGET_DEFAULT_PERCENT = 60;

/** How long a waiter item (a deploy's task token) is kept after it was written, in seconds (2 days). */
export const WAITER_TTL_SECONDS = 2 * 86400;

/** How long execution-status keeps what it last processed of an execution, in seconds (30 days). */
export const EXECUTION_MARKER_TTL_SECONDS = 30 * 86400;

/** How many of a task-definition family's newest ACTIVE revisions are searched for one registered before (a redrive or a duplicate event). */
export const REVISION_LOOKBACK = 5;

/** Step Functions' limit on an execution name, in characters. */
export const EXECUTION_NAME_MAX = 80;

/** The process type attached to the load balancer (the app's HTTPS route); the default of a one-off task and a schedule. */
export const WEB_PROCESS = 'web';
