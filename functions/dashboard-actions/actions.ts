import { APP_NAME, appOfPeopleSession, DASHBOARD_ACTIONS, type DashboardAction } from '../../domain';
import { UsageError } from '../../lib/ops/usage-error';
import { AwsError } from '../../lib/ops/aws-errors';
import { AwsCallFailed, CannotProceed, NotFound, WrongApp, type OpsClients } from '../../lib/ops/aws';
import { deployBuild } from '../../lib/ops/deploy';
import type { ExecutionTarget } from '../../lib/ops/execution-target';
import { redrive } from '../../lib/ops/redrive';
import { rollback } from '../../lib/ops/rollback';

/**
 * The dashboard's actions (redrive, rollback, deploy), behind a Lambda function URL with IAM auth. The
 * caller is the function URL's IAM authorizer's: `requestContext.authorizer.iam.userArn`, the
 * assumed-role ARN of the person's session (Lambda Developer Guide, "Invoking Lambda function URLs",
 * request payload format). A person's session is for one app (`<prefix>-people/app-<app>`, which the
 * people role's trust policy allows only for an app the person's ID token tags), so the app is read from
 * that ARN, and a request for any other app is refused (`WrongApp`). The work itself is what
 * `slipway redrive`, `slipway rollback` and `slipway deploy --build` do (lib/ops/redrive.ts, rollback.ts, deploy.ts), with
 * `dryRun` stopping before the one call that changes anything.
 */

/** The request body of an action. */
export interface ActionRequest {
  readonly action: DashboardAction;
  readonly app: string;
  readonly build?: string;
  readonly release?: string;
  readonly execution?: string;
  readonly dryRun?: boolean;
}

/** An answer: 200 with what started and the plan, or 4xx with a named error. */
export interface ActionAnswer {
  readonly statusCode: number;
  readonly body: { started?: string; plan: string } | { error: string; message: string };
}

/** A refusal with a name and a status. */
export class ActionError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** The subset of a function URL event the handler reads. */
export interface FunctionUrlEvent {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string }; readonly authorizer?: { readonly iam?: { readonly userArn?: string } } };
}

const MAX_BODY = 4096;

/** Parses and checks a request body. @throws ActionError InvalidRequest naming what is wrong. */
export function parseActionRequest(raw: string): ActionRequest {
  if (raw.length > MAX_BODY) throw new ActionError('InvalidRequest', `the body is over ${MAX_BODY} characters`);
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new ActionError('InvalidRequest', 'the body is not JSON: send {"action": "redrive" | "rollback" | "deploy", "app": "...", ...}');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ActionError('InvalidRequest', 'the body must be a JSON object');
  const o = v as Record<string, unknown>;
  const known = ['action', 'app', 'build', 'release', 'execution', 'dryRun'];
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ActionError('InvalidRequest', `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (the fields are ${known.join(', ')})`);
  if (!DASHBOARD_ACTIONS.includes(o.action as DashboardAction)) throw new ActionError('InvalidRequest', `"action" must be one of ${DASHBOARD_ACTIONS.join(', ')}`);
  if (typeof o.app !== 'string' || !APP_NAME.test(o.app)) throw new ActionError('InvalidRequest', '"app" must be an app name');
  for (const k of ['build', 'release', 'execution'] as const) if (o[k] !== undefined && (typeof o[k] !== 'string' || o[k] === '')) throw new ActionError('InvalidRequest', `"${k}" must be a non-empty string`);
  if (o.dryRun !== undefined && typeof o.dryRun !== 'boolean') throw new ActionError('InvalidRequest', '"dryRun" must be true or false');
  const r = o as unknown as ActionRequest;
  if (r.action === 'redrive' && !r.execution && !r.build) throw new ActionError('InvalidRequest', 'redrive needs "execution" (an execution ARN) or "build"');
  if (r.action === 'redrive' && r.execution && !/^arn:[a-z-]+:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(r.execution)) throw new ActionError('InvalidRequest', '"execution" must be a Step Functions execution ARN');
  if (r.action === 'deploy' && !r.build) throw new ActionError('InvalidRequest', 'deploy needs "build"');
  return r;
}

/** The app a caller's session is for. @throws ActionError NotAPersonSession (403) */
export function callerApp(event: FunctionUrlEvent, prefix: string): string {
  const arn = event.requestContext?.authorizer?.iam?.userArn ?? '';
  const app = appOfPeopleSession(arn, prefix);
  if (!app) throw new ActionError('NotAPersonSession', `the caller (${arn || 'unknown'}) is not a person's session of the ${prefix}-people role for one app: sign in to the dashboard, whose session for each app is named app-<app>`, 403);
  return app;
}

/** Runs an action for the caller. */
export async function runAction(event: FunctionUrlEvent, clients: OpsClients, prefix: string): Promise<ActionAnswer> {
  try {
    if ((event.requestContext?.http?.method ?? 'POST') !== 'POST') throw new ActionError('MethodNotAllowed', 'send the action with POST', 405);
    const app = callerApp(event, prefix);
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    const req = parseActionRequest(raw);
    if (req.app !== app) throw new ActionError('WrongApp', `this session is for app "${app}", not "${req.app}": sign in with a session for "${req.app}" (if you are one of its people)`, 403);
    const dryRun = req.dryRun === true;
    const options = { prefix, dryRun, watch: false as const };
    if (req.action === 'redrive') {
      const t: ExecutionTarget = req.execution ? { arn: req.execution, app } : { app, build: req.build as string };
      const out = await redrive(clients, t, options);
      const steps = out.rerunLabels.length > 0 ? out.rerunLabels.join('; ') : 'the failed step';
      const plan = `${dryRun ? 'Will redrive' : 'Redrove'} ${out.name} (${out.pipeline ?? 'pipeline'}): Step Functions re-runs ${steps}${out.failedStep ? `, from the failed step "${out.failedStep}"` : ''}; every step that succeeded keeps its result. This is redrive ${out.redriveCount}.`;
      return { statusCode: 200, body: dryRun ? { plan } : { started: out.arn, plan } };
    }
    const out = req.action === 'deploy' ? await deployBuild(clients, app, req.build as string, options) : await rollback(clients, app, req.release ?? req.build, options);
    const what = out.kind === 'rollback' ? `roll "${app}" back from build ${out.from ?? 'none'} to build ${out.build}` : `deploy build ${out.build} of "${app}" (now ${out.from ?? 'nothing'})`;
    const processes = out.processes.map((p) => `${p.name} → ${p.taskDefinitionArn.split('/').pop()}`).join(', ');
    const plan = `${dryRun ? 'Will' : 'Started:'} ${what} with the deploy pipeline ${out.name}: each process type's service is updated to its task definition (${processes}) and watched until its deployment completes; nothing is rebuilt and no release command runs.`;
    return { statusCode: 200, body: dryRun ? { plan } : { started: out.arn, plan } };
  } catch (e) {
    return refusal(e);
  }
}

/** A named error answer: the caller's (4xx) for what a person can act on, 502 for AWS failing the function. */
function refusal(e: unknown): ActionAnswer {
  if (e instanceof ActionError) return { statusCode: e.statusCode, body: { error: e.name, message: e.message } };
  if (e instanceof NotFound) return { statusCode: 404, body: { error: e.name, message: e.message } };
  if (e instanceof CannotProceed) return { statusCode: 409, body: { error: e.name, message: e.message } };
  const err = e as Error;
  if (e instanceof WrongApp) return { statusCode: 403, body: { error: e.name, message: e.message } };
  if (e instanceof UsageError) return { statusCode: 400, body: { error: 'InvalidRequest', message: e.message } };
  if (e instanceof AwsError || e instanceof AwsCallFailed) return { statusCode: 502, body: { error: e.name, message: e.message } };
  return { statusCode: 500, body: { error: 'InternalError', message: `the actions function failed: ${err?.message ?? String(e)}` } };
}
