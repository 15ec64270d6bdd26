import type { CreateServiceCommandInput, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { scheduleExpressionProblem } from '../../domain/schedules';
import { FARGATE_TASK_SIZES, isFargateTaskSize } from '../../domain/fargate';
import { RUN_TASK_OVERRIDES_MAX_CHARACTERS } from '../task-limits';
import { SimulatedAwsError } from './aws-error';

/**
 * What AWS refuses, for the simulated account (lib/local/world*.ts): names, ARNs and sizes past the
 * documented limits, answered with the error AWS answers. Each check cites where AWS documents the
 * limit. Messages follow AWS's shapes; where AWS documents the limit but not its exact message, the
 * message states the documented limit. No check knows any of Slipway's own names: they apply to every
 * request the same way.
 */

/** AWS's request-validation message shape (JSON protocols: Scheduler, SSM, EventBridge). */
function validationMessage(value: string, field: string, constraint: string): string {
  return `1 validation error detected: Value '${value.length > 100 ? `${value.slice(0, 100)}...` : value}' at '${field}' failed to satisfy constraint: ${constraint}`;
}

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

// ------------------------------------------------------------------------------------------------ ECS

/**
 * Family, container and service names: "Up to 255 letters (uppercase and lowercase), numbers,
 * underscores, and hyphens are allowed" (API_RegisterTaskDefinition `family`, API_ContainerDefinition
 * `name`, API_CreateService `serviceName`, docs.aws.amazon.com/AmazonECS/latest/APIReference).
 */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** Containers per task definition: 10, not adjustable (docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html). */
export const ECS_MAX_CONTAINERS = 10;
/** Task definition size: 64 KiB, not adjustable (same quota page). Measured here as the request's JSON. */
export const ECS_MAX_TASK_DEFINITION_BYTES = 64 * 1024;
/**
 * `secrets[].valueFrom`: "the full ARN of the Secrets Manager secret or the full ARN of the parameter in
 * the SSM Parameter Store", or the parameter's name when it is in the task's Region (API_Secret).
 */
const SECRET_VALUE_FROM = /^(arn:aws[a-z-]*:(ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\-/]+|secretsmanager:[a-z0-9-]+:\d{12}:secret:.+)|\/?[A-Za-z0-9_.\-/]+)$/;

/**
 * ECS RegisterTaskDefinition's request checks. ECS answers a bad request with `ClientException`.
 * @throws SimulatedAwsError ClientException
 */
export function checkTaskDefinition(input: RegisterTaskDefinitionCommandInput): void {
  const refuse = (message: string) => new SimulatedAwsError('ClientException', message);
  const family = input.family ?? '';
  if (!ECS_NAME.test(family)) throw refuse(`Family ${JSON.stringify(family.slice(0, 300))} is not valid: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`);
  const containers = input.containerDefinitions ?? [];
  if (containers.length === 0) throw refuse('Container definitions are required: a task definition needs at least one container.');
  if (containers.length > ECS_MAX_CONTAINERS) throw refuse(`Too many containers: ${containers.length} container definitions, at most ${ECS_MAX_CONTAINERS} are allowed per task definition.`);
  const seen = new Set<string>();
  for (const c of containers) {
    const name = c.name ?? '';
    if (!ECS_NAME.test(name)) throw refuse(`Container name ${JSON.stringify(name.slice(0, 300))} is not valid: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`);
    if (seen.has(name)) throw refuse(`Container names must be unique within a task definition: ${name} is used twice.`);
    seen.add(name);
    const names = new Set<string>();
    for (const s of c.secrets ?? []) {
      if (!s.name) throw refuse(`Container ${name}: a secret has no name.`);
      if (!s.valueFrom || !SECRET_VALUE_FROM.test(s.valueFrom)) {
        throw refuse(`Container ${name}: secret ${s.name} valueFrom ${JSON.stringify((s.valueFrom ?? '').slice(0, 200))} is neither a Secrets Manager secret ARN nor a Parameter Store parameter ARN or name.`);
      }
      if (names.has(s.name)) throw refuse(`Container ${name}: the secret ${s.name} is defined twice.`);
      names.add(s.name);
    }
    for (const e of c.environment ?? []) {
      if (!e.name) throw refuse(`Container ${name}: an environment variable has no name.`);
    }
  }
  checkFargateTask(input);
  const size = utf8Bytes(JSON.stringify(input));
  if (size > ECS_MAX_TASK_DEFINITION_BYTES) {
    throw refuse(`The task definition is ${size} bytes; a task definition may be at most 64 KiB (${ECS_MAX_TASK_DEFINITION_BYTES} bytes). Reduce the size of its environment, secrets or command.`);
  }
}

/** Ephemeral storage of a Fargate task: "The minimum supported value is 21 GiB and the maximum supported value is 200 GiB" (API_EphemeralStorage `sizeInGiB`). */
export const EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 } as const;

/**
 * What RegisterTaskDefinition refuses in a task definition that requires FARGATE (domain/fargate.ts holds the
 * task size table and its source): task-level cpu and memory are required ("Fargate requires that 'cpu' be
 * defined at the task level.", recorded in public reports of the API's answer), the pair must be a Fargate
 * task size ("No Fargate configuration exists for given values: 256 CPU, 8192 memory. See the Amazon ECS
 * documentation for the valid values.", ECS's message as RegisterTaskDefinition returns it), the network
 * mode awsvpc, ARM64 only with Linux, Windows only with 1, 2 or 4 vCPU, ephemeral storage 21-200 GiB.
 * `cpu` and `memory` are the task definition's strings of CPU units and MiB (ECS also converts "1 vCPU" and
 * "2 GB"; Slipway sends units, and a value in another form is refused here rather than guessed).
 */
function checkFargateTask(input: RegisterTaskDefinitionCommandInput): void {
  const refuse = (message: string) => new SimulatedAwsError('ClientException', message);
  const storage = input.ephemeralStorage?.sizeInGiB;
  if (storage !== undefined && (storage < EPHEMERAL_STORAGE_GIB.min || storage > EPHEMERAL_STORAGE_GIB.max)) {
    throw refuse(`The ephemeral storage size ${storage} GiB is not valid: it must be between ${EPHEMERAL_STORAGE_GIB.min} and ${EPHEMERAL_STORAGE_GIB.max} GiB.`);
  }
  if (!(input.requiresCompatibilities ?? []).includes('FARGATE')) return;
  if (input.cpu === undefined) throw refuse("Fargate requires that 'cpu' be defined at the task level.");
  if (input.memory === undefined) throw refuse("Fargate requires that 'memory' be defined at the task level.");
  if (input.networkMode !== 'awsvpc') throw refuse("Fargate only supports network mode 'awsvpc'.");
  const cpu = /^\d+$/.test(input.cpu) ? Number(input.cpu) : NaN;
  const memory = /^\d+$/.test(input.memory) ? Number(input.memory) : NaN;
  const os = input.runtimePlatform?.operatingSystemFamily ?? 'LINUX';
  const arch = input.runtimePlatform?.cpuArchitecture ?? 'X86_64';
  if (arch === 'ARM64' && os !== 'LINUX') throw refuse(`The ARM64 CPU architecture is only supported with the LINUX operating system family on Fargate (${os}).`);
  const windowsSize = FARGATE_TASK_SIZES.some((s) => s.windows && s.cpu === cpu);
  if (!isFargateTaskSize(cpu, memory) || (os !== 'LINUX' && !windowsSize)) {
    throw refuse(`No Fargate configuration exists for given values: ${input.cpu} CPU, ${input.memory} memory. See the Amazon ECS documentation for the valid values.`);
  }
}

/**
 * ECS CreateService's name check. ECS answers a bad parameter with `InvalidParameterException`.
 * @throws SimulatedAwsError InvalidParameterException
 */
export function checkServiceName(input: Pick<CreateServiceCommandInput, 'serviceName'>): void {
  const name = input.serviceName ?? '';
  if (!ECS_NAME.test(name)) {
    throw new SimulatedAwsError('InvalidParameterException', `Service name ${JSON.stringify(name.slice(0, 300))} is not valid: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`);
  }
}

/** Tags of an ECS request: at most 50, keys 1-128 characters not starting with `aws:`, values up to 256 (API_Tag). */
export function checkEcsTags(tags: readonly { key?: string; value?: string }[] | undefined): void {
  const list = tags ?? [];
  if (list.length > 50) throw new SimulatedAwsError('InvalidParameterException', `Too many tags: ${list.length}, at most 50 are allowed per resource.`);
  for (const t of list) {
    const key = t.key ?? '';
    if (key.length < 1 || key.length > 128) throw new SimulatedAwsError('InvalidParameterException', `Tag key ${JSON.stringify(key.slice(0, 140))} must be 1 to 128 characters.`);
    if (key.toLowerCase().startsWith('aws:')) throw new SimulatedAwsError('InvalidParameterException', `Tag keys starting with "aws:" are reserved for AWS use: ${key}.`);
    if ((t.value ?? '').length > 256) throw new SimulatedAwsError('InvalidParameterException', `The value of tag ${key} is longer than 256 characters.`);
  }
}

/**
 * A RunTask container override must name a container of the task definition: ECS answers
 * "Override for container named <name> is not a container in the TaskDefinition."
 */
export function checkContainerOverrides(overrides: readonly { name?: string }[], containers: readonly string[]): void {
  for (const o of overrides) {
    if (!containers.includes(o.name ?? '')) throw new SimulatedAwsError('InvalidParameterException', `Override for container named ${o.name ?? ''} is not a container in the TaskDefinition.`);
  }
}

/** A value with each object key's first letter lowercased: a Step Functions integration's PascalCase parameters as the ECS API receives them. */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), camelCaseKeys(v)]));
  return value;
}

/**
 * RunTask's `overrides`: "A total of 8192 characters are allowed for overrides. This limit includes the JSON
 * formatting characters of the override structure." (API_RunTask); ECS answers "Container Overrides length
 * must be at most 8192" (as reported by users of the API). Counted on the ECS request's JSON, so a Step
 * Functions integration's PascalCase keys are counted as ECS receives them.
 * @throws SimulatedAwsError InvalidParameterException
 */
export function checkOverridesLength(overrides: unknown): void {
  if (overrides === undefined) return;
  const length = JSON.stringify(camelCaseKeys(overrides)).length;
  if (length > RUN_TASK_OVERRIDES_MAX_CHARACTERS) {
    throw new SimulatedAwsError('InvalidParameterException', `Container Overrides length must be at most ${RUN_TASK_OVERRIDES_MAX_CHARACTERS} (it is ${length}).`);
  }
}

// ------------------------------------------------------------------------------------------ Scheduler

/** Schedule and schedule group names: 1-64 characters, `[0-9a-zA-Z-_.]+` (API_CreateSchedule `Name`, `GroupName`). */
export const SCHEDULER_NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
/** `Target.RoleArn` (API_Target): an IAM role ARN. */
const SCHEDULER_ROLE_ARN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** `DeadLetterConfig.Arn` (API_DeadLetterConfig): an SQS queue ARN. */
const SCHEDULER_DLQ_ARN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;
/** An ECS cluster ARN: an ECS target's `Arn` ("The Amazon Resource Name (ARN) of the target", API_Target; the cluster for ECS RunTask). */
const ECS_CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;

/** A schedule group name as CreateScheduleGroup (and CloudFormation's AWS::Scheduler::ScheduleGroup) accepts it. @throws ValidationException */
export function checkScheduleGroupName(name: string): void {
  if (!SCHEDULER_NAME.test(name)) throw new SimulatedAwsError('ValidationException', validationMessage(name, 'name', 'Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+ and have length between 1 and 64'));
}

/**
 * EventBridge Scheduler CreateSchedule/UpdateSchedule's request checks (API_CreateSchedule, API_Target,
 * API_EcsParameters): names, expression grammar and length, the target's ARNs, the description length.
 * @throws SimulatedAwsError ValidationException
 */
export function checkScheduleRequest(input: CreateScheduleCommandInput): void {
  const invalid = (value: string, field: string, constraint: string) => new SimulatedAwsError('ValidationException', validationMessage(value, field, constraint));
  const name = input.Name ?? '';
  if (!SCHEDULER_NAME.test(name)) throw invalid(name, 'name', 'Member must satisfy regular expression pattern: [0-9a-zA-Z-_.]+ and have length between 1 and 64');
  if (input.GroupName !== undefined) checkScheduleGroupName(input.GroupName);
  const expression = input.ScheduleExpression ?? '';
  if (expression.length < 1 || expression.length > 256) throw invalid(expression, 'scheduleExpression', 'Member must have length between 1 and 256');
  if (scheduleExpressionProblem(expression)) throw new SimulatedAwsError('ValidationException', `Invalid Schedule Expression ${expression}.`);
  if (!input.FlexibleTimeWindow?.Mode) throw invalid('null', 'flexibleTimeWindow', 'Member must not be null');
  if ((input.Description ?? '').length > 512) throw invalid(input.Description ?? '', 'description', 'Member must have length less than or equal to 512');
  const target = input.Target;
  if (!target) throw invalid('null', 'target', 'Member must not be null');
  const arn = target.Arn ?? '';
  if (arn.length < 1 || arn.length > 1600) throw invalid(arn, 'target.arn', 'Member must have length between 1 and 1600');
  if (!SCHEDULER_ROLE_ARN.test(target.RoleArn ?? '')) throw invalid(target.RoleArn ?? '', 'target.roleArn', 'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$');
  if (target.DeadLetterConfig && !SCHEDULER_DLQ_ARN.test(target.DeadLetterConfig.Arn ?? '')) {
    throw invalid(target.DeadLetterConfig.Arn ?? '', 'target.deadLetterConfig.arn', 'Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:sqs:[a-z0-9\\-]+:\\d{12}:[a-zA-Z0-9\\-_]+$');
  }
  if (target.EcsParameters) {
    // The target of an ECS RunTask schedule is the cluster: a cluster name or another ARN is refused.
    if (!ECS_CLUSTER_ARN.test(arn)) throw new SimulatedAwsError('ValidationException', `Invalid request provided: Target Arn ${arn.slice(0, 200)} is not a valid ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>) for a target with EcsParameters.`);
    const count = target.EcsParameters.TaskCount ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) throw invalid(String(count), 'target.ecsParameters.taskCount', 'Member must have value between 1 and 10');
    const td = target.EcsParameters.TaskDefinitionArn ?? '';
    if (td.length < 1 || td.length > 1600) throw invalid(td, 'target.ecsParameters.taskDefinitionArn', 'Member must have length between 1 and 1600');
  }
}

// ----------------------------------------------------------------------------------------- EventBridge

/** PutEvents: 1 to 10 entries per request (API_PutEvents `Entries`). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** PutEvents: the total entry size must be less than 256 KB (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** One PutEvents entry as the Step Functions integration passes it (Detail may be an object, serialized as JSON). */
export interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly Resources?: unknown;
  readonly Time?: unknown;
}

/**
 * The size of an entry as EventBridge computes it (eb-putevent-size.html): 14 bytes for `Time` if
 * specified, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`.
 */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  size += utf8Bytes(String(entry.Source ?? ''));
  size += utf8Bytes(String(entry.DetailType ?? ''));
  if (entry.Detail !== undefined) size += utf8Bytes(typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail));
  if (Array.isArray(entry.Resources)) for (const r of entry.Resources) if (r != null) size += utf8Bytes(String(r));
  return size;
}

/**
 * PutEvents' request checks: 1 to 10 entries ("Member must have length less than or equal to 10"),
 * total entry size under 256 KB ("Total size of the entries in the request is over the limit.").
 * @throws SimulatedAwsError ValidationException
 */
export function checkPutEvents(entries: readonly PutEventsEntry[]): void {
  if (entries.length < 1 || entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw new SimulatedAwsError('ValidationException', validationMessage(`[${entries.length} entries]`, 'entries', `Member must have length ${entries.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`}`));
  }
  const total = entries.reduce((sum, e) => sum + putEventsEntrySize(e), 0);
  if (total >= PUT_EVENTS_MAX_BYTES) throw new SimulatedAwsError('ValidationException', `Total size of the entries in the request is over the limit. (${total} bytes; the limit is under ${PUT_EVENTS_MAX_BYTES})`);
}

// ------------------------------------------------------------------------------------- Parameter Store

/**
 * Parameter names you create: at most 1011 characters ("The reported maximum length of 2048 characters
 * for a parameter name includes 1037 characters that are reserved for internal use"), only
 * `a-zA-Z0-9_.-` and `/`, not prefixed with "aws" or "ssm" (case-insensitive), at most 15 hierarchy
 * levels (API_PutParameter `Name`, docs.aws.amazon.com/systems-manager/latest/APIReference).
 */
export const SSM_MAX_NAME = 1011;
export const SSM_MAX_LEVELS = 15;
/** Parameter values: Standard tier 4 KB, Advanced tier 8 KB (parameter-store-advanced-parameters.html). */
export const SSM_MAX_VALUE = { Standard: 4096, Advanced: 8192 } as const;

/**
 * Parameters per account and Region: Standard 10,000, Advanced 100,000 ("Total number of parameters
 * allowed", parameter-store-advanced-parameters.html). Past either, PutParameter of a new parameter is
 * refused with ParameterLimitExceeded (API_PutParameter, Errors).
 */
export const SSM_MAX_PARAMETERS = { Standard: 10_000, Advanced: 100_000 } as const;

/**
 * The tier a PutParameter with `tier` stores `value` in. Intelligent-Tiering picks Advanced only when
 * needed: a value over 4 KB, or a new parameter when the account already holds its 10,000 standard
 * parameters ("When this process causes you to reach the 10,000 parameter quota in the standard tier,
 * Intelligent-Tiering automatically upgrades you to the advanced-parameter tier", ps-default-tier.html).
 */
export function parameterTier(tier: string | undefined, value: string, standardFull = false): 'Standard' | 'Advanced' {
  if (tier === 'Advanced') return 'Advanced';
  if (tier === 'Intelligent-Tiering') return value.length > SSM_MAX_VALUE.Standard || standardFull ? 'Advanced' : 'Standard';
  return 'Standard';
}

/** A new parameter in a tier the account holds `count` parameters of already. @throws SimulatedAwsError ParameterLimitExceeded */
export function checkParameterCount(tier: 'Standard' | 'Advanced', count: number): void {
  if (count >= SSM_MAX_PARAMETERS[tier]) {
    throw new SimulatedAwsError(
      'ParameterLimitExceeded',
      `You have exceeded the number of parameters for this AWS account (${SSM_MAX_PARAMETERS[tier]} ${tier.toLowerCase()} parameters per Region). Delete parameters that you don't need, or create advanced parameters (Tier Advanced or Intelligent-Tiering).`,
    );
  }
}

/**
 * PutParameter's name checks. @throws SimulatedAwsError ValidationException, HierarchyLevelLimitExceededException
 */
export function checkParameterName(name: string): void {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (name.length < 1 || name.length > SSM_MAX_NAME) throw new SimulatedAwsError('ValidationException', validationMessage(name, 'name', `Member must have length between 1 and ${SSM_MAX_NAME}`));
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name) || name.includes('//') || name.endsWith('/')) {
    throw new SimulatedAwsError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_ (${JSON.stringify(name.slice(0, 100))})`);
  }
  if (/^(aws|ssm)/i.test(bare)) throw new SimulatedAwsError('ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). (${JSON.stringify(name.slice(0, 100))})`);
  const levels = name.split('/').filter(Boolean).length;
  if (levels > SSM_MAX_LEVELS) throw new SimulatedAwsError('HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${SSM_MAX_LEVELS} levels. ${JSON.stringify(name.slice(0, 100))} has ${levels}.`);
}

/** PutParameter's value checks for the tier it lands in. @throws SimulatedAwsError ValidationException */
export function checkParameterValue(value: string, tier: 'Standard' | 'Advanced'): void {
  if (value.length < 1) throw new SimulatedAwsError('ValidationException', validationMessage(value, 'value', 'Member must have length greater than or equal to 1'));
  if (tier === 'Standard' && value.length > SSM_MAX_VALUE.Standard) {
    throw new SimulatedAwsError(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    );
  }
  if (value.length > SSM_MAX_VALUE.Advanced) throw new SimulatedAwsError('ValidationException', validationMessage(value, 'value', `Member must have length less than or equal to ${SSM_MAX_VALUE.Advanced}`));
}
