import type { FleetResults, FleetSample } from './fleet';
import { formatNumber, markdownTable, type GoalResult } from './stats';

/** Section 7's goals: no execution of any fleet failed. */
export function fleetGoals(f: FleetResults): GoalResult[] {
  return f.samples.map((s) => ({
    goal: `${s.apps} apps pushed within ${s.pushWindowSeconds} s in one account: no execution fails under AWS's default rate limits`,
    figure: `${s.failed.length} of ${s.executions} executions failed, ${s.deployed}/${s.apps} apps deployed, ${s.throttlesTotal} throttles absorbed`,
    pass: s.failed.length === 0 && s.deployed === s.apps,
    note: s.failed.length ? `failed: ${[...new Set(s.failed.map((x) => x.error))].join(', ')}` : undefined,
  }));
}

const n = (v: number, digits = 0) => formatNumber(v, digits);
const perApp = (s: FleetSample, v: number) => n(v / s.apps, 1);
const growth = (a: number, b: number) => `${n(b / a, 2)}x`;

/** Section 7 of BENCHMARKS.md. */
export function renderFleet(f: FleetResults, section = 7): string {
  const out: string[] = [];
  out.push(`## ${section}. Fleet`, '');
  out.push(
    `N copies of the example app (\`fleet-001\`..; web and worker already running build 41, a release command) in ONE simulated account (${f.region}) served by one control plane, each pushed once (CodeBuild build 42 succeeds) within the same ${f.samples[0]?.pushWindowSeconds ?? 60} s (app i at second floor(i x 60 / N)); every pipeline — build -> release -> deploy — run by the local runner with the real ASL files and handlers, side by side on one simulated clock. ` +
      `The release task runs ${f.alone.releaseSeconds} s and each ECS deployment completes ${f.alone.settleSeconds} s after it starts, so one app alone is deployed ${n(f.alone.pushToDeployed.max)} s after its push: the floor. ` +
      'The simulated account enforces AWS\'s documented default API rates (`lib/local/rate-limits.ts`, table below): a call past a bucket is refused with the service\'s own error, and the ASL\'s Retry waits its interval (with its backoff and jitter, seeded) on the simulated clock before trying again. ' +
      'Not simulated: the AWS SDK\'s own in-process retries (a throttled SDK call fails the handler at once and only the Retry absorbs it: harder than AWS), Lambda run time (a handler takes no simulated time, so Lambda concurrency here is the invocations in progress at the same instant), and ECS\'s own GetParameters at each task start.',
    '',
  );
  const rows = [f.alone, ...f.samples].map((s) => [
    s === f.alone ? '1 (alone)' : String(s.apps),
    `${n(s.lastDeployedAt)} s`,
    `${n(s.pushToDeployed.median)} / ${n(s.pushToDeployed.max)} s`,
    `${s.failed.length} of ${s.executions}`,
    `${s.throttlesTotal} (${perApp(s, s.throttlesTotal)}/app)`,
    perApp(s, s.stateTransitions),
    perApp(s, s.lambdaInvocations),
    `${s.parameterReads} (${perApp(s, s.parameterReads)}/app), peak ${s.parameterReadsPeakPerSecond}/s`,
    String(s.lambdaPeakConcurrency),
    `${n(s.wallSeconds, 1)} s`,
  ]);
  out.push(
    markdownTable(
      ['apps pushed', 'last app deployed (s after the first push)', 'push -> deployed, median / max', 'executions failed', 'throttles absorbed', 'state transitions per app', 'Lambda invocations per app', 'settings reads (GetParameter)', 'Lambda peak concurrency', 'wall time here'],
      rows,
    ),
    '',
  );
  const [a, b] = f.samples;
  if (a && b) {
    out.push(
      `From ${a.apps} to ${b.apps} apps (${growth(a.apps, b.apps)} the apps): the last app is deployed ${growth(a.lastDeployedAt, b.lastDeployedAt)} later (${n(a.lastDeployedAt)} -> ${n(b.lastDeployedAt)} s; one app alone: ${n(f.alone.lastDeployedAt)} s), ` +
        `throttles grow ${a.throttlesTotal ? growth(a.throttlesTotal, b.throttlesTotal) : `from 0 to ${b.throttlesTotal}`}, state transitions per app ${n(a.stateTransitions / a.apps, 1)} -> ${n(b.stateTransitions / b.apps, 1)} and Lambda invocations per app ${n(a.lambdaInvocations / a.apps, 1)} -> ${n(b.lambdaInvocations / b.apps, 1)} (each retry is one more state transition and, for a Lambda task, one more invocation).`,
      '',
    );
  }
  const quotas = [...new Set([f.alone, ...f.samples].flatMap((s) => Object.keys(s.throttles)))];
  if (quotas.length) {
    out.push('Throttles per quota (calls refused, then retried):', '');
    out.push(markdownTable(['quota', ...[f.alone, ...f.samples].map((s) => (s === f.alone ? '1 app' : `${s.apps} apps`))], quotas.map((q) => [q, ...[f.alone, ...f.samples].map((s) => String(s.throttles[q] ?? 0))])), '');
  }
  out.push(
    `State transitions delayed by the StateTransition bucket (${n(f.stateTransitions.burst)} burst, ${n(f.stateTransitions.refillPerSecond)}/s): ${[f.alone, ...f.samples].map((s) => `${s.delayedTransitions} with ${s.apps} app${s.apps === 1 ? '' : 's'}`).join(', ')}. RegisterTaskDefinition calls (two task definitions per app, ECS's tightest bucket): ${[f.alone, ...f.samples].map((s) => `${s.registerTaskDefinitionCalls} with ${s.apps}`).join(', ')}.`,
    '',
  );
  out.push('The limits enforced (AWS defaults for the Region; each links to where AWS documents it):', '');
  out.push(
    markdownTable(
      ['quota', 'burst', 'refill per second', 'refused with'],
      [
        ...f.limits.map((l) => [`[${l.name}](${l.source})`, n(l.burst), n(l.refillPerSecond), l.error]),
        [`[Step Functions StateTransition (Standard)](${f.stateTransitions.source})`, n(f.stateTransitions.burst), n(f.stateTransitions.refillPerSecond), 'none: the transition is delayed'],
        [`[Lambda concurrent executions](${f.lambdaConcurrency.source})`, n(f.lambdaConcurrency.limit), '-', 'TooManyRequestsException'],
      ],
    ),
    '',
  );
  return out.join('\n');
}
