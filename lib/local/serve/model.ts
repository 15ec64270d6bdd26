import type { ServedAccount } from './account';
import { validationError, WireError } from './errors';

/**
 * What the endpoint knows of each AWS service it answers: its wire protocol and names (apart from the
 * protocol code in protocols/, as LocalStack keeps its serializers apart from service logic), the
 * operations it simulates with their inputs declared as data (checked by one engine, {@link checkInput},
 * as dynalite's validations/ do), and whether AWS answers browsers' CORS requests for it.
 */

/** The wire protocols of the services (Smithy's names). */
export type Protocol = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'restJson1';

/** A member's type as the wire carries it (AWS answers a wrong one with SerializationException). */
export type MemberType = 'string' | 'number' | 'boolean' | 'list' | 'map' | 'structure';

/** One request to the endpoint, as an operation sees it. */
export interface RequestContext {
  readonly account: ServedAccount;
  readonly requestId: string;
  /** The caller, when the request is signed with a person's session (sts.ts): its assumed-role ARN and user id. */
  readonly caller?: { readonly arn: string; readonly userId: string };
}

/** An operation the endpoint simulates. */
export interface Operation {
  /** Members AWS requires (ValidationException "Member must not be null" when absent). */
  readonly required?: readonly string[];
  /** Types of the members the operation reads (SerializationException when the JSON type differs). */
  readonly members?: Readonly<Record<string, MemberType>>;
  /** Runs the operation on the simulated account: its output structure (Dates become the wire's timestamps). */
  run(input: Record<string, unknown>, ctx: RequestContext): unknown;
}

/** A service of the simulated account as the endpoint answers it. */
export interface ServiceModel {
  /** How people name it: "Step Functions". */
  readonly title: string;
  /** SigV4 signing name (the credential scope's service, and the `<name>.localhost` host browsers use): "states". */
  readonly signingName: string;
  readonly protocol: Protocol;
  /** awsJson: the X-Amz-Target prefix, "AWSStepFunctions". */
  readonly targetPrefix?: string;
  /** awsJson: the namespace of the error `__type`, "com.amazonaws.sfn". */
  readonly errorNamespace?: string;
  /** awsQuery: the XML namespace of responses. */
  readonly xmlNamespace?: string;
  /** A JSON service that also says its errors' awsQuery codes (`x-amzn-query-error`), as CloudWatch does. */
  readonly queryCompatible?: boolean;
  /**
   * Whether AWS answers cross-origin requests from browsers for this service (AWS SDK for JavaScript,
   * SERVICES.md, "Allows CORS" column: DynamoDB, ECS, SSM, CloudWatch, CloudWatch Logs, CloudWatch
   * Events/EventBridge, Application Auto Scaling, CodeBuild, Lambda and STS do; Step Functions does not).
   */
  readonly cors: boolean;
  /** The operations simulated, by name. */
  readonly operations: Readonly<Record<string, Operation>>;
  /** Every operation AWS has (those not simulated are answered 501, never as unknown). */
  readonly awsOperations: () => ReadonlySet<string>;
}

const operationsOfPackage = new WeakMap<object, ReadonlySet<string>>();

/**
 * Every operation of an AWS SDK v3 client package: its `<Operation>Command` exports. Read once per
 * package (a client package exports hundreds of names; every request asks).
 */
export function sdkOperations(pkg: Record<string, unknown>): ReadonlySet<string> {
  let ops = operationsOfPackage.get(pkg);
  if (!ops) {
    ops = new Set(Object.keys(pkg).filter((k) => k.endsWith('Command') && k !== 'Command' && typeof pkg[k] === 'function').map((k) => k.slice(0, -'Command'.length)));
    operationsOfPackage.set(pkg, ops);
  }
  return ops;
}

function typeOf(v: unknown): MemberType | 'null' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'structure';
  }
}

/**
 * Checks an input as AWS does, in AWS's order: the members' JSON types first (SerializationException),
 * then the required members (ValidationException, every problem in one message).
 */
export function checkInput(op: Operation, input: Record<string, unknown>): void {
  for (const [name, type] of Object.entries(op.members ?? {})) {
    const v = input[name];
    if (v === undefined || v === null) continue;
    const actual = typeOf(v);
    const ok = actual === type || (type === 'map' && actual === 'structure');
    if (!ok) throw new WireError('SerializationException', `Unexpected ${actual === 'structure' ? 'object' : actual} for member '${name}': expected a ${type === 'structure' ? 'structure' : type}`);
  }
  const missing = (op.required ?? []).filter((name) => input[name] === undefined || input[name] === null);
  if (missing.length > 0) throw validationError(missing.map((name) => `Value null at '${name}' failed to satisfy constraint: Member must not be null`));
}
