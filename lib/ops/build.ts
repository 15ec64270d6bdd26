import { BatchGetBuildsCommand, CodeBuildClient, StartBuildCommand, type Build } from '@aws-sdk/client-codebuild';
import { UsageError } from './usage-error';
import { aws, locateApp, type LocateOptions, type OpsClients } from './aws';
import { realClock, type Clock } from './wall-clock';
import { escapeForTerminal, formatDuration } from './terminal';

/**
 * `slipway build <app> [--branch B | --commit C]` (like `apppack build start`): starts a build of the
 * app's CodeBuild project by hand, of its configured branch, another branch or one commit, then follows
 * it to its end. The image it pushes goes through the pipelines as every build does (build -> release
 * -> deploy), which `slipway watch <app> <build>` follows.
 */

/** A git branch name as CodeBuild's `sourceVersion` takes it for a GitHub source (git check-ref-format's rules, simplified). */
export const BRANCH = /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$|.*@\{)[A-Za-z0-9._/-]{1,255}$/;
/** A commit ID: 7 to 40 hexadecimal digits. */
export const COMMIT = /^[0-9a-f]{7,40}$/;

/** What to build: the project's own branch, another branch, or a commit. */
export interface BuildSource {
  readonly branch?: string;
  readonly commit?: string;
}

/** Checks `--branch`/`--commit` before any AWS call. @throws UsageError */
export function checkBuildSource(source: BuildSource): void {
  if (source.branch !== undefined && source.commit !== undefined) throw new UsageError('give --branch or --commit, not both');
  if (source.branch !== undefined && !BRANCH.test(source.branch)) throw new UsageError(`--branch ${JSON.stringify(source.branch.slice(0, 80))} is not a branch name`);
  if (source.commit !== undefined && !COMMIT.test(source.commit)) throw new UsageError(`--commit ${JSON.stringify(source.commit.slice(0, 80))} is not a commit ID (7 to 40 hexadecimal digits)`);
}

/** One build as `slipway build` shows it. */
export interface BuildOutput {
  readonly app: string;
  readonly project: string;
  /** CodeBuild's build ID (`<project>:<uuid>`). */
  readonly id: string;
  /** CodeBuild's build number: the pipelines key the build by it (`slipway watch <app> <number>`). */
  readonly buildNumber: number | null;
  /** What was asked for: the branch, the commit, or null for the project's own. */
  readonly sourceVersion: string | null;
  /** IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED, TIMED_OUT. */
  readonly status: string;
  readonly phase: string | null;
  /** The commit CodeBuild resolved, once known. */
  readonly commit: string | null;
  readonly logLink: string | null;
  readonly durationSeconds: number | null;
  /** Stopped following at --timeout (the build goes on). */
  readonly timedOut: boolean;
}

/** Options of {@link startBuild}. */
export interface StartBuildOptions extends LocateOptions, BuildSource {
  /** Start and return without following. */
  readonly detach?: boolean;
  readonly clock?: Clock;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly onProgress?: (line: string) => void;
}

function codebuildOf(clients: OpsClients): CodeBuildClient {
  if (!clients.codebuild) throw new UsageError('slipway build needs a CodeBuild client (OpsClients.codebuild)');
  return clients.codebuild;
}

function outputOf(app: string, project: string, b: Build | undefined, sourceVersion: string | null, timedOut: boolean): BuildOutput {
  const start = b?.startTime;
  const end = b?.endTime;
  return {
    app,
    project,
    id: b?.id ?? '',
    buildNumber: b?.buildNumber ?? null,
    sourceVersion,
    status: b?.buildStatus ?? 'IN_PROGRESS',
    phase: b?.currentPhase ?? null,
    commit: b?.resolvedSourceVersion ?? null,
    logLink: b?.logs?.deepLink ?? null,
    durationSeconds: start && end ? Math.round((end.getTime() - start.getTime()) / 1000) : null,
    timedOut,
  };
}

/** `slipway build <app>`: starts a build of the app's project and follows it (unless `detach`). */
export async function startBuild(clients: OpsClients, app: string, options: StartBuildOptions = {}): Promise<BuildOutput> {
  checkBuildSource(options);
  const codebuild = codebuildOf(clients);
  const target = await locateApp(clients, app, options);
  const project = target.settings.codeBuildProject;
  const sourceVersion = options.commit ?? options.branch ?? null;
  const started = await aws(`CodeBuild StartBuild ${project}`, () => codebuild.send(new StartBuildCommand({ projectName: project, ...(sourceVersion ? { sourceVersion } : {}) })));
  let build = started.build;
  if (options.detach || !build?.id) return outputOf(app, project, build, sourceVersion, false);
  const clock = options.clock ?? realClock;
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 3_600_000);
  let last = '';
  while (build && !build.buildComplete) {
    const line = `build ${build.buildNumber ?? '?'} of ${app}: ${build.currentPhase ?? 'SUBMITTED'}`;
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (clock.now().getTime() >= deadline) return outputOf(app, project, build, sourceVersion, true);
    await clock.sleep(options.intervalMs ?? 5000);
    const id = build.id as string;
    const out = await aws(`CodeBuild BatchGetBuilds ${id}`, () => codebuild.send(new BatchGetBuildsCommand({ ids: [id] })));
    build = out.builds?.find((b) => b.id === id) ?? build;
  }
  return outputOf(app, project, build, sourceVersion, false);
}

/** Human output of `slipway build`. */
export function renderBuild(out: BuildOutput): string {
  const what = `build ${out.buildNumber ?? '?'} of ${escapeForTerminal(out.app)} (${escapeForTerminal(out.project)}${out.sourceVersion ? `, ${escapeForTerminal(out.sourceVersion)}` : ''})`;
  const logs = out.logLink ? `\nlogs: ${escapeForTerminal(out.logLink)}` : '';
  const watch = out.buildNumber !== null ? `slipway watch ${escapeForTerminal(out.app)} ${out.buildNumber}` : `slipway watch ${escapeForTerminal(out.app)}`;
  if (out.timedOut) return `${what}: still ${escapeForTerminal(out.phase ?? out.status)} when the CLI stopped following it (--timeout); it goes on: ${watch}${logs}`;
  if (out.status === 'IN_PROGRESS') return `started ${what}: ${escapeForTerminal(out.id)}${logs}\nfollow it: ${watch}`;
  if (out.status === 'SUCCEEDED') return `${what} SUCCEEDED in ${formatDuration(out.durationSeconds)}${out.commit ? ` (commit ${escapeForTerminal(out.commit.slice(0, 12))})` : ''}: the pipelines release and deploy it now; follow them: ${watch}${logs}`;
  return `${what} ${escapeForTerminal(out.status)}${out.phase ? ` in phase ${escapeForTerminal(out.phase)}` : ''} after ${formatDuration(out.durationSeconds)}: nothing is deployed${logs}`;
}

/** Exit code of `slipway build`: 0 when it succeeded (or was started with --detach), 1 otherwise. */
export function buildExitCode(out: BuildOutput): number {
  return out.status === 'SUCCEEDED' || (out.status === 'IN_PROGRESS' && !out.timedOut) ? 0 : 1;
}
