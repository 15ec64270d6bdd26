import { readFileSync } from 'node:fs';
import { aslPath, type AslState, type AslStates } from '../../lib/asl';
import { STATE_MACHINES } from '../../domain/pipelines';
import { BUILD_PK, CONFIG_REDEPLOY_CLAIM, DEPLOY_CLAIM } from '../../domain/table';
import { ROOT } from './scenarios';

/**
 * "A failure stays where it happens" (docs/design.md), checked on the ASL files themselves: AWS redrives only
 * the states with an Entered and no Exited event, and a Catch exits the failing state
 * (test/fixtures/aws-histories, rule 1), so a Catch may route to a Fail state only the outcomes a
 * redrive cannot change.
 */

/** Errors a redrive cannot change: they may end in a Fail state through a Catch. */
const NOT_REDRIVABLE = new Set(['InvalidEvent', 'InvalidInput', 'DeploymentSuperseded', 'DeployRefused', 'DynamoDB.ConditionalCheckFailedException', 'StepFunctions.ExecutionAlreadyExistsException']);

type Scope = { states: AslStates; path: string };

function scopes(states: AslStates, path = ''): Scope[] {
  const out: Scope[] = [{ states, path }];
  for (const [name, s] of Object.entries(states)) {
    const inner = (s.ItemProcessor ?? s.Iterator) as { States: AslStates } | undefined;
    if (inner) out.push(...scopes(inner.States, `${path}${name} > `));
    for (const [i, b] of ((s.Branches as { States: AslStates }[] | undefined) ?? []).entries()) out.push(...scopes(b.States, `${path}${name}[${i}] > `));
  }
  return out;
}

/** Whether following Pass states from `name` reaches a Fail state. */
function leadsToFail(states: AslStates, name: string, seen = new Set<string>()): boolean {
  const s = states[name] as AslState | undefined;
  if (!s || seen.has(name)) return false;
  seen.add(name);
  if (s.Type === 'Fail') return true;
  return s.Type === 'Pass' && typeof s.Next === 'string' ? leadsToFail(states, s.Next, seen) : false;
}

function catchers(s: AslState): { ErrorEquals: string[]; Next: string }[] {
  return (s.Catch as { ErrorEquals: string[]; Next: string }[] | undefined) ?? [];
}

describe.each(STATE_MACHINES)('statemachines/%s.asl.json keeps failures where they happen', (name) => {
  const definition = JSON.parse(readFileSync(aslPath(ROOT, name), 'utf8')) as { States: AslStates };
  const all = scopes(definition.States);

  test('no Catch routes a redrivable error to a Fail state', () => {
    const offending = all.flatMap(({ states, path }) =>
      Object.entries(states).flatMap(([n, s]) => catchers(s).filter((c) => leadsToFail(states, c.Next) && c.ErrorEquals.some((e) => !NOT_REDRIVABLE.has(e))).map((c) => `${path}${n}: ${c.ErrorEquals.join(',')} -> ${c.Next}`)),
    );
    expect(offending).toEqual([]);
  });

  test('States.ALL is caught only by the milestone announcements (which never fail the pipeline and go on)', () => {
    const catchAll = all.flatMap(({ states, path }) => Object.entries(states).filter(([, s]) => catchers(s).some((c) => c.ErrorEquals.includes('States.ALL'))).map(([n]) => `${path}${n}`));
    expect(catchAll.filter((n) => !/(^| > )Announce /.test(n))).toEqual([]);
  });

  test('no Map or Parallel state has a Catch (AWS redrives only their failed iterations)', () => {
    const caught = all.flatMap(({ states, path }) => Object.entries(states).filter(([, s]) => (s.Type === 'Map' || s.Type === 'Parallel') && catchers(s).length > 0).map(([n]) => `${path}${n}`));
    expect(caught).toEqual([]);
  });

  test('no state records or announces a failure itself (execution-status does, from the status events)', () => {
    const names = all.flatMap(({ states, path }) => Object.keys(states).map((n) => `${path}${n}`));
    expect(names.filter((n) => /Record the failed|Announce the failed|Announce the rollback|after the failure/.test(n))).toEqual([]);
  });
});

test('the rule check finds a Catch that routes a redrivable error to a Fail state (it can fail)', () => {
  const states = {
    'Run it': { Type: 'Task', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Keep the error' }] },
    'Keep the error': { Type: 'Pass', Next: 'Failed' },
    Failed: { Type: 'Fail' },
  } as unknown as AslStates;
  expect(leadsToFail(states, 'Keep the error')).toBe(true);
  expect(catchers(states['Run it'] as AslState).some((c) => leadsToFail(states, c.Next) && c.ErrorEquals.some((e) => !NOT_REDRIVABLE.has(e)))).toBe(true);
});

describe('the ASL writes the items the handlers read under the keys of domain/table.ts', () => {
  const states = (name: string) => (JSON.parse(readFileSync(aslPath(ROOT, name), 'utf8')) as { States: Record<string, { Parameters?: { Key?: { pk?: { S?: string }; sk?: { S?: string } } } }> }).States;
  const key = (name: string, state: string) => states(name)[state]?.Parameters?.Key;

  test('the deploy claim', () => {
    expect(key('deploy', 'Claim the app for this build')).toEqual({ pk: { S: DEPLOY_CLAIM.pk }, sk: { S: DEPLOY_CLAIM.sk } });
  });

  test('the config redeploy claim', () => {
    expect(key('config-change', 'Claim the redeploy')).toEqual({ pk: { S: CONFIG_REDEPLOY_CLAIM.pk }, sk: { S: CONFIG_REDEPLOY_CLAIM.sk } });
    expect(key('config-change', 'Give up the redeploy claim')).toEqual({ pk: { S: CONFIG_REDEPLOY_CLAIM.pk }, sk: { S: CONFIG_REDEPLOY_CLAIM.sk } });
  });

  test('the build record', () => {
    expect(key('build', 'Record the build')?.pk).toEqual({ S: BUILD_PK });
    expect(key('deploy', 'Record the release in the build history')?.pk).toEqual({ S: BUILD_PK });
  });
});
