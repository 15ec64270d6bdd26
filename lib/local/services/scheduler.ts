import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { SimulatedAwsError } from '../aws-error';
import { checkScheduleGroupName, checkScheduleRequest } from '../aws-limits';
import type { SimClock } from './ssm';

/** A stored schedule: what CreateSchedule/UpdateSchedule was given, and its ARN. */
export interface SimSchedule extends CreateScheduleCommandInput {
  readonly Arn: string;
  version: number;
}

/**
 * Simulated EventBridge Scheduler: schedule groups and their schedules. Like the service, it refuses
 * what CreateSchedule/UpdateSchedule's validation refuses (ValidationException: names past 64
 * characters or outside `[0-9a-zA-Z-_.]`, an expression its grammar rejects, a target `Arn` that is
 * not an ECS cluster ARN for an ECS target, malformed role and dead-letter queue ARNs; see
 * aws-limits.ts), a duplicate name (ConflictException) and a missing schedule or group
 * (ResourceNotFoundException).
 */
export class SimulatedScheduler {
  /** Schedules by group, then by name. */
  readonly groups = new Map<string, Map<string, SimSchedule>>();
  /** Every call that changed a schedule, in order (`create web-1`, `update ...`, `delete ...`). */
  readonly changes: string[] = [];

  constructor(private readonly clock: SimClock) {}

  /** Creates a schedule group (the app stack's CfnScheduleGroup). */
  addGroup(name: string): void {
    checkScheduleGroupName(name);
    if (!this.groups.has(name)) this.groups.set(name, new Map());
  }

  /** The schedules of a group, by name. */
  list(group: string): SimSchedule[] {
    return [...(this.groups.get(group)?.values() ?? [])].sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
  }

  private group(name: string | undefined): Map<string, SimSchedule> {
    const g = this.groups.get(name ?? 'default');
    if (!g) throw new SimulatedAwsError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
    return g;
  }

  create(input: CreateScheduleCommandInput): string {
    checkScheduleRequest(input);
    const g = this.group(input.GroupName);
    if (g.has(input.Name ?? '')) throw new SimulatedAwsError('ConflictException', `Schedule ${input.Name} already exists.`);
    const arn = `arn:aws:scheduler:${this.clock.spec.region}:${this.clock.spec.account}:schedule/${input.GroupName}/${input.Name}`;
    g.set(input.Name ?? '', { ...structuredClone(input), Arn: arn, version: 1 });
    this.changes.push(`create ${input.Name}`);
    return arn;
  }

  update(input: CreateScheduleCommandInput): string {
    checkScheduleRequest(input);
    const g = this.group(input.GroupName);
    const existing = g.get(input.Name ?? '');
    if (!existing) throw new SimulatedAwsError('ResourceNotFoundException', `Schedule ${input.Name} does not exist.`);
    g.set(input.Name ?? '', { ...structuredClone(input), Arn: existing.Arn, version: existing.version + 1 });
    this.changes.push(`update ${input.Name}`);
    return existing.Arn;
  }

  delete(group: string | undefined, name: string | undefined): void {
    const g = this.group(group);
    if (!g.delete(name ?? '')) throw new SimulatedAwsError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    this.changes.push(`delete ${name}`);
  }

  /** aws-sdk-client-mock handlers on `client` answering from this simulation. */
  mock(client: SchedulerClient): { restore: () => void } {
    const m = mockClient(client);
    m.on(CreateScheduleCommand).callsFake(async (input) => ({ ScheduleArn: this.create(input) }));
    m.on(UpdateScheduleCommand).callsFake(async (input) => ({ ScheduleArn: this.update(input) }));
    m.on(DeleteScheduleCommand).callsFake(async (input) => (this.delete(input.GroupName, input.Name), {}));
    m.on(GetScheduleCommand).callsFake(async (input) => {
      const s = this.group(input.GroupName).get(input.Name ?? '');
      if (!s) throw new SimulatedAwsError('ResourceNotFoundException', `Schedule ${input.Name} does not exist.`);
      return structuredClone(s);
    });
    m.on(ListSchedulesCommand).callsFake(async (input) => ({
      Schedules: this.list(input.GroupName ?? 'default').map((s) => ({ Name: s.Name, GroupName: s.GroupName, Arn: s.Arn, State: s.State ?? 'ENABLED' })),
    }));
    return m;
  }
}
