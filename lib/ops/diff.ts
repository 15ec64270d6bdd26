import type { BuildRecord } from '../../domain/table';
import { DescribeTaskDefinitionCommand, ECSClient, type TaskDefinition } from '@aws-sdk/client-ecs';
import { UsageError } from './usage-error';
import { pipelineExecutionName } from '../../domain/names';
import { escapeForTerminal } from './terminal';
import { aws, CannotProceed, checkBuildKey, describeExecution, executionArn, getBuild, getCurrentRelease, locateApp, NotFound, type AppTarget, type LocateOptions, type OpsClients } from './aws';

/** What a deploy changes in a process type's task definition, as `slipway diff` compares it. */
export interface TaskDefinitionSummary {
  readonly arn: string;
  /** Image per container. */
  readonly images: Record<string, string>;
  /** Command per container (joined), or null for the image's default. */
  readonly commands: Record<string, string | null>;
  readonly cpu: string | null;
  readonly memory: string | null;
  /** Environment variables, by name (values are not secret: a changed value is a change). */
  readonly environment: Record<string, string>;
  /** Secrets by name: the app's config keys (values stay in Parameter Store). */
  readonly secrets: string[];
}

/** One change of one process type. */
export interface FieldChange {
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** A process type's task definition now and after the deploy. */
export interface ProcessDiff {
  readonly process: string;
  readonly from: TaskDefinitionSummary | null;
  readonly to: TaskDefinitionSummary | null;
  readonly changes: FieldChange[];
}

/** The output of `slipway diff` (also its --json document). */
export interface DiffOutput {
  readonly app: string;
  readonly build: string;
  /** The build the app runs now (its current release), or null before the first deploy. */
  readonly current: string | null;
  readonly processes: ProcessDiff[];
}

/** The fields `slipway diff` compares, from a DescribeTaskDefinition answer. */
export function summarizeTaskDefinition(td: TaskDefinition): TaskDefinitionSummary {
  const containers = td.containerDefinitions ?? [];
  const images: Record<string, string> = {};
  const commands: Record<string, string | null> = {};
  const environment: Record<string, string> = {};
  const secrets = new Set<string>();
  for (const c of containers) {
    const name = c.name ?? '(unnamed)';
    images[name] = c.image ?? '';
    commands[name] = c.command && c.command.length > 0 ? c.command.join(' ') : null;
    for (const e of c.environment ?? []) if (e.name) environment[containers.length > 1 ? `${name}.${e.name}` : e.name] = e.value ?? '';
    for (const s of c.secrets ?? []) if (s.name) secrets.add(s.name);
  }
  return { arn: td.taskDefinitionArn ?? '', images, commands, cpu: td.cpu ?? null, memory: td.memory ?? null, environment, secrets: [...secrets].sort() };
}

/** The changes from `from` to `to` (either may be absent: a process type added or removed). */
export function compareSummaries(from: TaskDefinitionSummary | null, to: TaskDefinitionSummary | null): FieldChange[] {
  const changes: FieldChange[] = [];
  const push = (field: string, a: string | null | undefined, b: string | null | undefined) => {
    if ((a ?? null) !== (b ?? null)) changes.push({ field, from: a ?? null, to: b ?? null });
  };
  const keys = (a?: Record<string, unknown>, b?: Record<string, unknown>) => [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
  for (const c of keys(from?.images, to?.images)) push(`image (${c})`, from?.images[c], to?.images[c]);
  for (const c of keys(from?.commands, to?.commands)) push(`command (${c})`, from?.commands[c], to?.commands[c]);
  push('cpu', from?.cpu, to?.cpu);
  push('memory', from?.memory, to?.memory);
  for (const e of keys(from?.environment, to?.environment)) push(`environment ${e}`, from?.environment[e], to?.environment[e]);
  const before = new Set(from?.secrets ?? []);
  const after = new Set(to?.secrets ?? []);
  for (const s of [...new Set([...before, ...after])].sort()) if (before.has(s) !== after.has(s)) push(`config key ${s}`, before.has(s) ? 'set' : null, after.has(s) ? 'set' : null);
  return changes;
}

/**
 * The task definition a deploy of `build` uses per process type: the ones its deploy recorded, else the
 * ones its build pipeline passed to its release (the release execution's input), as a deploy finds them.
 */
export async function processesOf(clients: OpsClients, target: AppTarget, build: BuildRecord): Promise<{ name: string; taskDefinitionArn: string }[]> {
  if (build.releaseProcesses?.length) return build.releaseProcesses.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn }));
  const release = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')));
  let processes: unknown;
  try {
    processes = (JSON.parse(release?.input ?? '{}') as { processes?: unknown }).processes;
  } catch {
    processes = undefined;
  }
  const list = Array.isArray(processes) ? processes.filter((p): p is { name: string; taskDefinitionArn: string } => typeof p?.name === 'string' && typeof p?.taskDefinitionArn === 'string') : [];
  if (list.length === 0) throw new CannotProceed(`build ${build.buildKey} has no registered task definitions (its build pipeline stopped before "Register task definitions"): nothing to compare`);
  return list;
}

async function describe(ecs: ECSClient, arn: string): Promise<TaskDefinitionSummary> {
  const out = await aws(`ECS DescribeTaskDefinition ${arn}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })));
  if (!out.taskDefinition) throw new NotFound(`ECS DescribeTaskDefinition ${arn} returned no task definition`);
  return summarizeTaskDefinition(out.taskDefinition);
}

/**
 * `slipway diff <app> --build N`: what deploying build N (a redeploy or a rollback) would change, per
 * process type, against the app's current release: image, command, cpu, memory, environment and
 * config keys. Reads only; starts nothing.
 */
export async function diffBuild(clients: OpsClients, app: string, buildArg: string, options: LocateOptions = {}): Promise<DiffOutput> {
  const key = checkBuildKey(buildArg);
  if (!clients.ecs) throw new UsageError('slipway diff needs an ECS client (OpsClients.ecs)');
  const ecs = clients.ecs;
  const target = await locateApp(clients, app, options);
  const build = await getBuild(clients, target, key);
  if (!build) throw new NotFound(`build ${key} of app "${app}" is not recorded (see slipway pipelines ${app})`);
  const current = await getCurrentRelease(clients, target);
  const currentBuild = current ? await getBuild(clients, target, current.buildKey) : undefined;
  const to = await processesOf(clients, target, build);
  const from = currentBuild ? await processesOf(clients, target, currentBuild) : [];
  const names = [...new Set([...from.map((p) => p.name), ...to.map((p) => p.name)])].sort();
  const processes: ProcessDiff[] = [];
  for (const name of names) {
    const a = from.find((p) => p.name === name);
    const b = to.find((p) => p.name === name);
    const before = a ? await describe(ecs, a.taskDefinitionArn) : null;
    const after = b ? (a && b.taskDefinitionArn === a.taskDefinitionArn ? before : await describe(ecs, b.taskDefinitionArn)) : null;
    processes.push({ process: name, from: before, to: after, changes: compareSummaries(before, after) });
  }
  return { app, build: key, current: current?.buildKey ?? null, processes };
}

/** Human output of `slipway diff`: one line per change, escaped for the terminal. */
export function renderDiff(out: DiffOutput): string {
  const e = (s: string | null) => (s === null ? '(none)' : escapeForTerminal(s));
  const lines = [`${out.app}: deploying build ${out.build} over ${out.current === null ? 'nothing (no release yet)' : `build ${out.current} (the current release)`}`];
  for (const p of out.processes) {
    if (p.changes.length === 0) {
      lines.push(`  ${p.process}: no change`);
      continue;
    }
    lines.push(`  ${p.process}:${p.from === null ? ' (new process type)' : p.to === null ? ' (not in this build)' : ''}`);
    for (const c of p.changes) lines.push(`    ${escapeForTerminal(c.field)}: ${e(c.from)} -> ${e(c.to)}`);
  }
  return lines.join('\n');
}
