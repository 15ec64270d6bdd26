import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachState, type AslState, type AslStates } from '../../lib/asl';
import { DEPLOY_TIMEOUT_MAX_MINUTES, MILESTONE_SOURCE, RUNNING_DEPLOY_CHECK_SECONDS } from '../../domain/constants';
import { configRedeployExecutionName, parameterChangeExecutionName, pipelineExecutionName } from '../../domain/names';
import { MILESTONES, STATE_MACHINES, SUBSTITUTIONS, type StateMachineName } from '../../domain/pipelines';
import { BUILD_PK, CONFIG_REDEPLOY_CLAIM, DEPLOY_CLAIM, RELEASE_CURRENT, TTL_ATTRIBUTE } from '../../domain/table';

/**
 * The ASL files spell some domain facts as literals (a field that takes a constant cannot take a
 * `${Placeholder}` of a number, and keys read best as words). Each literal is checked here against its
 * owner in domain/, so a change of the owner fails this test and names the ASL site to change with it.
 */

const ROOT = join(__dirname, '..', '..');
const definition = (name: StateMachineName) => JSON.parse(readFileSync(join(ROOT, 'statemachines', `${name}.asl.json`), 'utf8')) as { States: AslStates };

/** Every state of every state machine (nested ones included), as `[machine, state name, state]`. */
const allStates: [StateMachineName, string, AslState][] = STATE_MACHINES.flatMap((m) => {
  const out: [StateMachineName, string, AslState][] = [];
  forEachState(definition(m).States, (name, state) => out.push([m, name, state]));
  return out;
});

type Parameters = Record<string, unknown>;
const params = (s: AslState) => (s.Parameters ?? {}) as Parameters;

/** The literal `pk`/`sk` of a DynamoDB task's Key (updateItem) or Item (putItem); a JSONPath value as `$path`. */
function keyOf(s: AslState): { pk: string; sk: string } | undefined {
  const p = params(s);
  const key = (p.Key ?? p.Item) as Record<string, Record<string, string>> | undefined;
  if (!key) return undefined;
  const v = (a: Record<string, string> | undefined) => a?.S ?? (a?.['S.$'] !== undefined ? `$path:${a['S.$']}` : '');
  return { pk: v(key.pk), sk: v(key.sk) };
}

const dynamoTasks = allStates.filter(([, , s]) => typeof s.Resource === 'string' && s.Resource.startsWith('arn:aws:states:::dynamodb:'));
const putEvents = allStates.filter(([, , s]) => s.Resource === 'arn:aws:states:::events:putEvents');
const startExecutions = allStates.filter(([, , s]) => typeof s.Resource === 'string' && s.Resource.startsWith('arn:aws:states:::states:startExecution'));

describe('table keys in the ASL files are the ones domain/table.ts owns', () => {
  test('the files write the table at all (the checks below are not vacuous)', () => {
    expect(dynamoTasks.length).toBeGreaterThanOrEqual(8);
  });

  test.each(dynamoTasks.map(([m, n, s]) => [m, n, s] as const))('%s: "%s"', (_m, _n, state) => {
    const key = keyOf(state);
    expect(key).toBeDefined();
    const known = [
      // A build's record: the sort key is the build's sortKey, which the handlers pad (buildSortKey).
      { pk: BUILD_PK, sk: '$path:$.build.sortKey' },
      // Inside the deploy's Map: the iteration's copy of the same sort key (checked below).
      { pk: BUILD_PK, sk: '$path:$.buildSortKey' },
      RELEASE_CURRENT,
      DEPLOY_CLAIM,
      CONFIG_REDEPLOY_CLAIM,
    ].map((k) => ({ pk: k.pk, sk: k.sk }));
    expect(known).toContainEqual(key);
  });

  test('the deploy Map\'s iterations get the build\'s sort key as buildSortKey (the key of their build record writes)', () => {
    const map = definition('deploy').States['Deploy each process type'] as AslState & { ItemSelector?: Record<string, unknown> };
    expect(map.ItemSelector?.['buildSortKey.$']).toBe('$.build.sortKey');
  });

  test('no ASL file writes the TTL attribute (only the handlers do, from domain/constants.ts)', () => {
    for (const [, , s] of dynamoTasks) expect(JSON.stringify(s.Parameters)).not.toContain(TTL_ATTRIBUTE);
  });
});

describe('milestones put by the ASL files', () => {
  test('the files put milestones at all', () => {
    expect(putEvents.length).toBeGreaterThanOrEqual(5);
  });

  test.each(putEvents.map(([m, n, s]) => [m, n, s] as const))('%s: "%s" puts the contract\'s MilestoneSource (MILESTONE_SOURCE) and a known detail type', (machine, _n, state) => {
    const entries = params(state).Entries as { Source?: string; DetailType?: string }[];
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.Source).toBe('${MilestoneSource}');
      expect(MILESTONES).toContain(e.DetailType);
    }
    expect(SUBSTITUTIONS[machine].MilestoneSource).toEqual({ kind: 'constant', value: MILESTONE_SOURCE });
  });
});

describe('execution names the ASL files build are the ones domain/names.ts builds', () => {
  /** The `States.Format` template of a state's `Name.$`, e.g. `{}-{}-release`. */
  const nameTemplate = (m: StateMachineName, state: string): string | undefined => {
    const found = startExecutions.find(([mm, n]) => mm === m && n === state);
    const name = found ? (params(found[2])['Name.$'] as string | undefined) : undefined;
    return name ? /^States\.Format\('([^']*)'/.exec(name)?.[1] : undefined;
  };
  const names = (m: StateMachineName) => startExecutions.filter(([mm]) => mm === m).map(([, n]) => nameTemplate(m, n));

  test('build starts the release as <app>-<build>-release', () => {
    expect(names('build')).toEqual([pipelineExecutionName('{}', '{}', 'release')]);
  });

  test('release starts the deploy as <app>-<build>-deploy', () => {
    expect(names('release')).toEqual([pipelineExecutionName('{}', '{}', 'deploy')]);
  });

  test('config-change starts the schedules sync and the redeploy under their names', () => {
    expect(names('config-change').sort()).toEqual([configRedeployExecutionName('{}', '{}'), parameterChangeExecutionName('{}')].sort());
  });

  test('deploy and schedules start no execution', () => {
    expect(names('deploy')).toEqual([]);
    expect(names('schedules')).toEqual([]);
  });
});

describe('waits the ASL files hold that TypeScript also counts', () => {
  test('config-change waits RUNNING_DEPLOY_CHECK_SECONDS between checks of a running deploy', () => {
    const waits = allStates.filter(([m, , s]) => m === 'config-change' && s.Type === 'Wait' && s.Seconds !== undefined);
    expect(waits.map(([, n, s]) => [n, s.Seconds])).toEqual([['Wait for the running deploy', RUNNING_DEPLOY_CHECK_SECONDS]]);
  });
});

test('the release and deploy inputs are held to the config\'s longest deploy timeout (DEPLOY_TIMEOUT_MAX_MINUTES)', () => {
  for (const m of ['release', 'deploy'] as const) {
    const text = JSON.stringify(definition(m).States['Does the input name the app and its table?']);
    expect(text).toContain(`"NumericLessThanEquals":${DEPLOY_TIMEOUT_MAX_MINUTES * 60}`);
  }
});
