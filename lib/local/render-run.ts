import { appAndBuildOf } from '../../domain/names';
import { escapeForTerminal, renderRedriveVerdict, renderSteps } from '../ops/terminal';
import { buildTimeline } from '../../domain/execution-history';
import { stepLabel } from '../ops/step-labels';
import { stepsOf } from '../ops/execution-steps';
import { summariseCause } from '../ops/failure-causes';
import { assessRedrive } from '../ops/redrive-advice';
import { nextStep, runningBuilds } from '../ops/advice';
import { supersededDeploy } from '../../domain/pipelines';
import type { FleetReport } from './report';
import type { ExecutionReport, RunReport } from './runner';

/**
 * The local run as a person reads it: each execution's timeline, its failure and what a redrive would
 * re-run, then the totals, the simulated account and the milestone events. Each execution is rendered from
 * its `history` (GetExecutionHistory's shape) by the same model and renderer as `slipway status`
 * (domain/execution-history.ts, lib/ops/execution-steps.ts, lib/ops/terminal.ts).
 */

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `t+${m > 0 ? `${m}m` : ''}${String(s).padStart(m > 0 ? 2 : 1, '0')}s`.padEnd(9);
}

const headMark = (status: string) => (status === 'SUCCEEDED' ? '✓' : status === 'RUNNING' ? '…' : '✗');

function header(e: ExecutionReport): string {
  return `${headMark(e.status)} ${escapeForTerminal(e.name)}  (${e.stateMachine})  ${e.status}${e.redriveCount ? `  redriven ${e.redriveCount}×` : ''}`;
}

/** From the execution's history: the same model as `slipway status`. */
function fromHistory(e: ExecutionReport, origin: Date, events: RunReport['events']): string[] {
  const timeline = buildTimeline(e.history);
  const lines = [header(e), ...renderSteps(stepsOf(timeline), { origin }), ...supersededLine(e)];
  if (e.status === 'FAILED') {
    const f = timeline.failure;
    const where = f ? ` at "${escapeForTerminal(stepLabel(f.entry, timeline.itemLabels))}"` : '';
    const error = e.error ?? timeline.execution.error;
    lines.push(`  → failed${where}: ${escapeForTerminal(error ?? 'no error')}${e.cause ?? timeline.execution.cause ? `: ${escapeForTerminal(summariseCause(e.cause ?? timeline.execution.cause, { max: 1000, error }))}` : ''}`);
    // The failure's log, as execution-status announced it (the release task's log stream).
    const announced = [...events].reverse().find((ev) => ev.detail.execution === e.arn && typeof ev.detail.logLink === 'string');
    if (announced) lines.push(`  logs: ${escapeForTerminal(String(announced.detail.logLink))}`);
    const named = appAndBuildOf(e.name);
    const assessment = assessRedrive(timeline, undefined, { now: origin, ...named });
    lines.push(...renderRedriveVerdict(assessment).map((l) => `  ${l}`));
    const next = f ? nextStep({ error, process: f.entry.scope.path.length > 0 ? (timeline.itemLabels.get(f.entry.scope.key) ?? null) : null, app: named.app, build: named.build, redrive: assessment.verdict, pipeline: e.stateMachine }) : null;
    if (next) lines.push(`  next: ${escapeForTerminal(next)}`);
  }
  return lines;
}

/** A deploy that SUCCEEDED without deploying: by whom it was superseded, and that nothing is left to redrive. */
function supersededLine(e: ExecutionReport): string[] {
  const s = e.stateMachine === 'deploy' && e.status === 'SUCCEEDED' && e.output !== undefined ? supersededDeploy(JSON.stringify(e.output)) : undefined;
  if (!s) return [];
  return [`  → superseded by ${s.supersededBy ? `build ${escapeForTerminal(s.supersededBy)}` : 'a newer deploy'}: nothing was deployed, and there is nothing to redrive`];
}

/** When the run started: the earliest event of any execution's history (the simulated clock's zero). */
function originOf(report: RunReport): Date {
  const times = report.executions.flatMap((e) => e.history.slice(0, 1).map((h) => new Date(h.timestamp as unknown as string | number | Date).getTime())).filter((t) => !Number.isNaN(t));
  return new Date(times.length > 0 ? Math.min(...times) : 0);
}

/** The run as a person reads the console's graph view: executions, states, retries, the failure, the redrive. */
export function renderTimeline(report: RunReport): string {
  const lines: string[] = [];
  const origin = originOf(report);
  for (const e of report.executions) lines.push(...fromHistory(e, origin, report.events), '');
  const t = report.totals;
  lines.push(`${t.stateTransitions} state transitions, ${t.lambdaInvocations} Lambda invocations, ${t.releaseTasksStarted} release task(s), ${t.taskDefinitionsRegistered} task definition(s) registered, ${t.simulatedSeconds} s simulated`);
  const services = Object.entries(report.world.services);
  for (const [name, s] of services) lines.push(`service ${escapeForTerminal(name)}: ${s.build !== null ? `build ${escapeForTerminal(s.build)}, ` : ''}${escapeForTerminal(s.image)} (${escapeForTerminal(s.taskDefinition.split('/').pop())})`);
  const running = runningBuilds(services.map(([name, s]) => ({ service: name, build: s.build })));
  if (running) lines.push(running);
  const r = report.world.lastGoodRelease;
  lines.push(r ? `last good release: build ${r.build}, ${r.image}` : 'last good release: none recorded (no deploy has finished on every process type)');
  if (report.events.length > 0) {
    lines.push('events (source slipway):');
    for (const ev of report.events) {
      const error = typeof ev.detail.error === 'string' ? ` ${escapeForTerminal(ev.detail.error)}` : '';
      lines.push(`  ${clock(ev.at)} ${ev.detailType} (build ${escapeForTerminal(String(ev.detail.buildKey))})${error}`);
    }
  } else {
    lines.push('events (source slipway): none');
  }
  return lines.join('\n');
}

/**
 * A run of several apps' events (lib/local/fleet.ts) as a person reads it: one timeline of every app's
 * executions on the shared clock (each start and end, interleaved as they happened), then each app's
 * executions (the failed step of each that failed), ECS services and task definitions.
 */
export function renderFleetTimeline(report: FleetReport): string {
  const moments: { at: number; order: number; line: string }[] = [];
  for (const a of report.apps) {
    for (const e of a.executions) {
      const name = `${escapeForTerminal(a.app)}: ${escapeForTerminal(e.name)} (${e.stateMachine})`;
      e.attempts.forEach((attempt, i) => {
        moments.push({ at: attempt.startedAt, order: moments.length, line: `▶ ${name} ${i === 0 ? 'started' : `redriven (${i})`}` });
        if (attempt.endedAt !== undefined && attempt.status) moments.push({ at: attempt.endedAt, order: moments.length, line: `${headMark(attempt.status)} ${name} ${attempt.status}` });
      });
    }
  }
  moments.sort((x, y) => x.at - y.at || x.order - y.order);
  const lines = moments.map((m) => `${clock(m.at)} ${m.line}`);
  for (const a of report.apps) {
    lines.push('', `app ${escapeForTerminal(a.app)}`);
    lines.push(a.executions.length > 0 ? '  executions:' : '  executions: none');
    for (const e of a.executions) {
      const failed = e.failedStep !== null ? ` at "${escapeForTerminal(e.failedStep)}"${e.error ? `: ${escapeForTerminal(e.error)}` : ''}` : '';
      lines.push(`    ${headMark(e.status)} ${escapeForTerminal(e.name)}  (${e.stateMachine})  ${e.status}${e.redriveCount ? `  redriven ${e.redriveCount}×` : ''}${failed}`);
    }
    lines.push(a.services.length > 0 ? '  services:' : '  services: none');
    for (const s of a.services) lines.push(`    ${escapeForTerminal(s.name)}  ${escapeForTerminal(s.taskDefinition)}  desired ${s.desiredCount}, running ${s.runningCount}`);
    lines.push(`  task definitions: ${a.taskDefinitions.length > 0 ? a.taskDefinitions.map(escapeForTerminal).join(', ') : 'none'}`);
  }
  if (report.unattributed.length > 0) lines.push('', `executions of no hosted app: ${report.unattributed.map(escapeForTerminal).join(', ')}`);
  const t = report.totals;
  lines.push('', `${report.apps.length} app(s), ${t.stateTransitions} state transitions, ${t.lambdaInvocations} Lambda invocations, ${t.releaseTasksStarted} release task(s), ${t.taskDefinitionsRegistered} task definition(s) registered, ${t.simulatedSeconds} s simulated`);
  return lines.join('\n');
}
