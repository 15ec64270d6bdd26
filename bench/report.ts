import {
  formatNumber,
  formatRatio,
  formatSummary,
  formatUsd,
  goalFewerTransitions,
  goalTransitionsIndependent,
  goalUnder,
  goalWithinFactor,
  markdownTable,
  pricePer1000Releases,
  PRICES,
  ratioOfMedians,
  type GoalResult,
  type LambdaAssumptions,
  type Summary,
} from './stats';

/** One settle time of section 1, both variants. */
export interface CostRow {
  readonly settleSeconds: number;
  readonly note?: string;
  readonly slipway: { transitions: Summary; lambdaInvocations: Summary };
  readonly polling: { transitions: Summary; lambdaInvocations: Summary };
}

/** Everything one bench run measured (the JSON file), from which BENCHMARKS.md is rendered. */
export interface BenchResults {
  readonly generatedAt: string;
  readonly mode: 'full' | 'smoke';
  readonly machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  readonly wallSeconds: number;
  /** Further developer-loop runs are made only while the bench has run less than this. */
  readonly budgetSeconds: number;
  readonly runs: { pipeline: number; latency: number; coldStart: number; database: number; synth: number; test: number; start: number };
  readonly lambda: LambdaAssumptions;
  readonly cost: CostRow[];
  readonly latency: { slipway: Summary; polling: Summary; settleSeconds: number[] };
  readonly coldStart: {
    readonly floor: { processMs: Summary; loadMs: Summary };
    /** Reference: a handler that only builds one AWS SDK client. */
    readonly oneClient: { processMs: Summary; loadMs: Summary };
    readonly functions: { name: string; bytes: number; processMs: Summary; loadMs: Summary }[];
  };
  readonly database: {
    readonly statementsPerRun: number;
    readonly manager: Summary;
    readonly psql: Summary;
    readonly concurrent: { calls: number; wallMs: number; succeeded: number; errors: string[]; catalogOk: number; psqlSequentialMs: number };
  };
  readonly devLoop: { label: string; shown: string; ms: Summary | null; skipped?: string }[];
}

/** Settle time the goals compare Slipway and polling at. */
export const GOAL_SETTLE_SECONDS = 600;

/** The issue's goals, evaluated on one run's results. */
export function evaluateGoals(r: BenchResults): GoalResult[] {
  const goals: GoalResult[] = [];
  goals.push({
    ...goalTransitionsIndependent(r.cost.map((c) => ({ settleSeconds: c.settleSeconds, transitions: c.slipway.transitions }))),
    note: 'every settle time measured, including the one at the deploy timeout (see its note in section 1)',
  });
  const at = r.cost.find((c) => c.settleSeconds === GOAL_SETTLE_SECONDS);
  if (at) goals.push(goalFewerTransitions(at.slipway.transitions, at.polling.transitions, GOAL_SETTLE_SECONDS));
  goals.push(goalUnder('orchestration latency under 1 s (simulated)', r.latency.slipway, 1, 's'));
  for (const f of r.coldStart.functions) {
    goals.push(goalWithinFactor(`cold start of ${f.name} within 1.5x of the floor`, f.processMs, r.coldStart.floor.processMs, 1.5));
  }
  goals.push(goalWithinFactor('database manager within 1.5x of psql (createDatabase + enableIamAuth + runSql)', r.database.manager, r.database.psql, 1.5));
  return goals;
}

const sum = (s: Summary) => formatSummary(s, '', 1);
const ms = (s: Summary) => formatSummary(s, 'ms', 1);

/** BENCHMARKS.md: method, every section with its baseline side by side, goals with pass/miss. */
export function renderMarkdown(r: BenchResults, goals: GoalResult[] = evaluateGoals(r)): string {
  const out: string[] = [];
  const shared = Math.max(...r.machine.loadAverageAtStart.slice(0, 1), ...r.machine.loadAverageAtEnd.slice(0, 1));
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench\`${r.mode === 'smoke' ? ' **in smoke mode (one run each, `npm test` skipped): not figures to quote**' : ''} on ${r.generatedAt}, in ${formatNumber(r.wallSeconds, 0)} s. ` +
      `Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, Node ${r.machine.node}, ${r.machine.platform}; load average ${r.machine.loadAverageAtStart.map((l) => formatNumber(l, 1)).join('/')} at the start, ${r.machine.loadAverageAtEnd.map((l) => formatNumber(l, 1)).join('/')} at the end` +
      `${shared >= r.machine.cpus * 0.5 ? ' — the machine was not idle (other work ran just before or during this run), so wall-clock figures carry that noise (shown as the spread)' : ''}. ` +
      'Every figure below was measured in this run, each beside its baseline; the raw numbers are in the JSON file beside this one. ' +
      'Figures are "median (min-max)" over the runs; a single value means every run gave the same.',
    '',
  );
  out.push(`Runs: pipeline cost ${r.runs.pipeline} per settle time and variant, latency ${r.runs.latency} per variant, cold start ${r.runs.coldStart} per function, database ${r.runs.database}, \`cdk synth\` ${r.runs.synth}, \`npm test\` ${r.runs.test}, \`npm start\` ${r.runs.start}: chosen so the whole bench stays under 5 minutes on 2 cores (full mode plans 2 synths and 3 starts, and makes the second and third only while the bench has run less than ${r.budgetSeconds} s).`, '');

  out.push('## Goals', '');
  out.push(markdownTable(['goal', 'measured', 'result'], goals.map((g) => [g.goal, g.figure + (g.note ? ` — ${g.note}` : ''), g.pass ? 'pass' : '**miss**'])), '');

  out.push('## 1. Control-plane cost per release', '');
  out.push(
    'The example app (`config/example.json`, app `example`: processes web and worker, a release command) run end to end by the local runner — build -> release -> deploy, the real ASL files and handlers — in a fresh simulated account per run, both ECS deployments completing after the given simulated time. ' +
      '**Slipway**: `statemachines/deploy.asl.json` (the deploy waits on a task token that ECS deployment events resume, a 5-minute sweep as fallback). ' +
      '**Polling baseline**: `bench/baseline/deploy-polling.asl.json`, the same pipeline with the wait replaced by the loop of the common samples: `Wait 15 s` -> `DescribeServices` (AWS SDK integration, no Lambda) -> `Choice`, and no ECS event rule. Counts are the runner\'s (every state entered is one state transition; every handler call one Lambda invocation).',
    '',
  );
  const priced = (t: Summary, l: Summary) => formatUsd(pricePer1000Releases(t.median, l.median, r.lambda).total);
  out.push(
    markdownTable(
      ['ECS settles after', 'Slipway transitions', 'polling transitions', 'polling / Slipway', 'Slipway Lambda invocations', 'polling Lambda invocations', 'Slipway $ per 1,000 releases', 'polling $ per 1,000 releases'],
      r.cost.map((c) => [
        `${c.settleSeconds} s${c.note ? ` (${c.note})` : ''}`,
        sum(c.slipway.transitions),
        sum(c.polling.transitions),
        formatRatio(ratioOfMedians(c.polling.transitions, c.slipway.transitions)),
        sum(c.slipway.lambdaInvocations),
        sum(c.polling.lambdaInvocations),
        priced(c.slipway.transitions, c.slipway.lambdaInvocations),
        priced(c.polling.transitions, c.polling.lambdaInvocations),
      ]),
    ),
    '',
  );
  out.push(
    `Prices: ${PRICES.source}. Lambda duration is **assumed**, not measured on AWS: ${r.lambda.memoryMb} MB (SlipwayFunction's default), ${r.lambda.billedMsPerInvocation} ms billed per invocation. ` +
      'Not included: DynamoDB requests (the same in both variants), CloudWatch Logs, and the sweep schedule, which invokes `deployment-events` every 5 minutes whether or not a deploy waits (about 8,640 invocations a month, a fixed cost per app, not per release). ' +
      'Slipway\'s Lambda invocations grow slowly with the settle time: the sweep runs every 5 minutes while a deploy waits.',
    '',
  );

  out.push('## 2. Orchestration latency', '');
  out.push(
    'Simulated seconds from the moment the last ECS deployment completes (`World.completedDeployments`) to the moment the deploy enters "Record the release" (the runner\'s timeline, which records each state at the simulated time it was entered). ' +
      `Deployments settle after ${r.latency.settleSeconds.join(', ')} s in successive runs, so that completion falls at different points of the 15-second polling interval. ` +
      'The simulated EventBridge delivers each ECS event 1 s after it happens (`lib/local/world.ts`); Slipway\'s figure is that delivery delay — the state machine itself adds no simulated time.',
    '',
  );
  out.push(markdownTable(['pipeline', 'latency (s)'], [['Slipway (event-driven)', sum(r.latency.slipway)], ['polling baseline (15 s)', sum(r.latency.polling)]]), '');

  out.push('## 3. Lambda cold start', '');
  out.push(
    'Each function bundled as the stack bundles it (esbuild, minified, CommonJS, `@aws-sdk/*` external; `lib/constructs/slipway-function.ts`), into a fresh temporary folder. ' +
      'One sample = one fresh `node` process that `require`s the bundle (which builds its module-scope SDK clients) and exits; "process" is the wall time of that process seen by the parent (`process.hrtime`), "load" the `require` alone timed inside it. ' +
      'The floor is the same process loading an empty handler; the reference row, a handler that only requires `@aws-sdk/client-ecs` and builds one client, shows how much of a function\'s figure is the AWS SDK itself. Processes are started round-robin (floor, then each function) so every figure sees the same load. The SDK comes from the repository\'s node_modules (in Lambda, from the runtime).',
    '',
  );
  const floor = r.coldStart.floor.processMs;
  out.push(
    markdownTable(
      ['function', 'bundle', 'process (ms)', 'load (ms)', 'process / floor'],
      [
        ['(floor: empty handler)', '-', ms(floor), ms(r.coldStart.floor.loadMs), '1.00x'],
        ['(reference: one AWS SDK client, ECS, built)', '-', ms(r.coldStart.oneClient.processMs), ms(r.coldStart.oneClient.loadMs), formatRatio(ratioOfMedians(r.coldStart.oneClient.processMs, floor))],
        ...r.coldStart.functions.map((f) => [f.name, `${formatNumber(f.bytes / 1024, 1)} KB`, ms(f.processMs), ms(f.loadMs), formatRatio(ratioOfMedians(f.processMs, floor))]),
      ],
    ),
    '',
  );

  out.push('## 4. Database manager', '');
  const d = r.database;
  out.push(
    `A throwaway PostgreSQL (\`test/helpers/postgres.ts\`, admin role without superuser as on Aurora). One run = \`createDatabase\` + \`enableIamAuth\` + \`runSql\` (CREATE TABLE in the new database) through the manager (pg driver, warm admin connection as in a warm Lambda), against psql sending the very same ${d.statementsPerRun} statements (recorded from a steady-state provisioning by the manager, database switches as \`\\c\`) over one warm session, timed inside the server session. ` +
      'Every run provisions a new database on each side; the two are interleaved run by run.',
    '',
  );
  out.push(markdownTable(['', 'ms per provisioning', 'ratio'], [['database manager', ms(d.manager), formatRatio(ratioOfMedians(d.manager, d.psql))], ['psql, same statements', ms(d.psql), '1.00x']]), '');
  const c = d.concurrent;
  out.push(
    `${c.calls} concurrent \`createDatabase\` calls, one manager (own connection) per call as ${c.calls} Lambda instances would: ${formatNumber(c.wallMs, 0)} ms wall, ${c.succeeded}/${c.calls} succeeded, ` +
      `${c.catalogOk}/${c.calls} databases in \`pg_database\` owned by their login role afterwards${c.errors.length ? `; errors: ${c.errors.join('; ')}` : ''}. ` +
      `Reference: psql sending the same ${c.calls} creates one after another in one session: ${formatNumber(c.psqlSequentialMs, 0)} ms.`,
    '',
  );

  out.push('## 5. Developer loop', '');
  out.push('Each command run to its end in a fresh process from the repository root, wall time. Each `cdk synth` writes a new, empty cloud assembly (so every run bundles every Lambda again); tsx\'s and jest\'s transform caches are left as a developer has them.', '');
  out.push(markdownTable(['command', 'wall time'], r.devLoop.map((l) => [`${l.label}: \`${l.shown}\``, l.ms ? formatSummary({ ...l.ms, median: l.ms.median / 1000, min: l.ms.min / 1000, max: l.ms.max / 1000 }, 's', 1) : `skipped (${l.skipped ?? 'not run'})`])), '');

  out.push('## Method', '');
  out.push(
    [
      '* `npm run bench` (`bench/run.ts`) measures everything in one process tree, in order: sections 1-2 (in-process local runs, one new `LocalRun` and simulated account per run), 3 (child processes), 4 (a new PostgreSQL server), 5 (child processes). `npm run bench -- --smoke --out DIR` runs each once, skips `npm test`, and writes to DIR (CI does this after `npm test`).',
      '* Nothing is typed in: every count, size and time in this file comes from this run; the only constants are the list prices and the Lambda duration assumption, named in section 1.',
      '* Nothing is cached between compared runs: each pipeline run starts from a fresh simulated account; each cold-start sample is a new `node` process on bundles built at the start of this run; each database run creates new databases.',
      '* Simulated time (sections 1-2) is deterministic: the runner advances a clock instead of sleeping, so counts and simulated seconds have no noise; wall-clock figures (sections 3-5) do, shown as min-max.',
      '* The polling baseline is deliberately cheap (no loop counter, no Lambda for the check, no event rule), so the comparison favours the baseline; it is only correct on the happy path and is not a Slipway state machine (it lives in `bench/baseline/`, outside `statemachines/`).',
      '* Local figures are not AWS figures: Lambda cold starts here exclude the runtime\'s own init and network; the database runs on the same machine; Step Functions transitions and Lambda invocations are counted exactly as AWS bills them.',
    ].join('\n'),
    '',
  );
  return out.join('\n');
}
