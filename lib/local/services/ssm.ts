import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type ParameterType,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import { SimulatedAwsError } from '../aws-error';
import { checkParameterCount, checkParameterName, checkParameterValue, parameterTier, SSM_MAX_PARAMETERS } from '../aws-limits';

/** A stored parameter. */
export interface SimParameter {
  readonly name: string;
  type: ParameterType;
  value: string;
  /** Standard (values up to 4 KB) or Advanced (up to 8 KB); a parameter never goes back to Standard. */
  tier?: 'Standard' | 'Advanced';
  version: number;
  lastModified: number;
}

/** The clock and account the simulation names things in. */
export interface SimClock {
  readonly now: number;
  isoNow(): string;
  readonly spec: { readonly account: string; readonly region: string };
  /** Counts a call and refuses it past AWS's rate (the simulated account's `count`). */
  count?(call: string): void;
}


/**
 * Simulated Parameter Store: the parameters of the run, and a "Parameter Store Change" event (in the
 * shape of AWS's sample events) for every create, update and delete, handed to `onChange`.
 */
export class SimulatedParameterStore {
  readonly parameters = new Map<string, SimParameter>();
  /** Every change event, in order. */
  readonly events: Record<string, unknown>[] = [];
  /** Called with each change event (the runner starts the config-change state machine). */
  onChange: (event: Record<string, unknown>) => void = () => undefined;

  constructor(private readonly clock: SimClock) {}

  /** ARN of a parameter. */
  arn(name: string): string {
    return `arn:aws:ssm:${this.clock.spec.region}:${this.clock.spec.account}:parameter${name}`;
  }

  /**
   * Creates or overwrites a parameter (PutParameter), refused as Parameter Store refuses it: a name past
   * 1011 characters, with other characters than `a-zA-Z0-9_.-/`, prefixed "aws"/"ssm" or deeper than 15
   * levels; an empty value, or one past its tier's limit (Standard 4 KB, Advanced 8 KB; see aws-limits.ts).
   * @param tier PutParameter's `Tier` (default Standard; an Advanced parameter stays Advanced).
   */
  put(name: string, value: string, type: ParameterType = 'SecureString', overwrite = true, tier?: string): number {
    checkParameterName(name);
    const existing = this.parameters.get(name);
    const standardFull = !existing && this.countTier('Standard') >= SSM_MAX_PARAMETERS.Standard;
    const lands = existing?.tier === 'Advanced' ? 'Advanced' : parameterTier(tier, value, standardFull);
    checkParameterValue(value, lands);
    if (!existing || existing.tier !== lands) checkParameterCount(lands, this.countTier(lands));
    if (existing && !overwrite) throw new SimulatedAwsError('ParameterAlreadyExists', `The parameter already exists. To overwrite this value, set the overwrite option in the request to true.`);
    const p: SimParameter = existing
      ? { ...existing, value, type, tier: lands, version: existing.version + 1, lastModified: this.clock.now }
      : { name, type, value, tier: lands, version: 1, lastModified: this.clock.now };
    this.parameters.set(name, p);
    this.emit(existing ? 'Update' : 'Create', p);
    return p.version;
  }

  /** Parameters of a tier the account holds (a parameter without a tier is Standard). */
  countTier(tier: 'Standard' | 'Advanced'): number {
    let n = 0;
    for (const p of this.parameters.values()) if ((p.tier ?? 'Standard') === tier) n += 1;
    return n;
  }

  /** Deletes a parameter (DeleteParameter). */
  delete(name: string): void {
    const p = this.parameters.get(name);
    if (!p) throw new SimulatedAwsError('ParameterNotFound', `Parameter ${name} not found.`);
    this.parameters.delete(name);
    this.emit('Delete', p);
  }

  /** A parameter (GetParameter). */
  get(name: string): SimParameter {
    const p = this.parameters.get(name);
    if (!p) throw new SimulatedAwsError('ParameterNotFound', `Parameter ${name} not found.`);
    return p;
  }

  /** Parameters directly under `path` (one level) or anywhere below it. */
  under(path: string, recursive: boolean): SimParameter[] {
    const prefix = `${path.replace(/\/$/, '')}/`;
    return [...this.parameters.values()].filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/'))).sort((a, b) => a.name.localeCompare(b.name));
  }

  private emit(operation: 'Create' | 'Update' | 'Delete', p: SimParameter): void {
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Parameter Store Change',
      source: 'aws.ssm',
      account: this.clock.spec.account,
      time: this.clock.isoNow().replace(/\.\d{3}Z$/, 'Z'),
      region: this.clock.spec.region,
      resources: [this.arn(p.name)],
      detail: { operation, name: p.name, type: p.type, description: '' },
    };
    this.events.push(event);
    this.onChange(event);
  }

  /** aws-sdk-client-mock handlers on `client` answering from this store. */
  mock(client: SSMClient): { restore: () => void } {
    const m = mockClient(client);
    m.on(PutParameterCommand).callsFake(async (input) => {
      const version = this.put(input.Name ?? '', input.Value ?? '', input.Type ?? 'String', input.Overwrite ?? false, input.Tier);
      return { Version: version, Tier: this.parameters.get(input.Name ?? '')?.tier ?? 'Standard' };
    });
    m.on(DeleteParameterCommand).callsFake(async (input) => (this.delete(input.Name ?? ''), {}));
    m.on(DeleteParametersCommand).callsFake(async (input) => {
      const deleted: string[] = [];
      const invalid: string[] = [];
      for (const n of input.Names ?? []) {
        if (this.parameters.has(n)) {
          this.delete(n);
          deleted.push(n);
        } else invalid.push(n);
      }
      return { DeletedParameters: deleted, InvalidParameters: invalid };
    });
    m.on(GetParameterCommand).callsFake(async (input) => {
      this.clock.count?.('GetParameter');
      const p = this.get(input.Name ?? '');
      const value = p.type === 'SecureString' && !input.WithDecryption ? `encrypted:${Buffer.from(p.value).toString('base64')}` : p.value;
      return { Parameter: { Name: p.name, Type: p.type, Value: value, Version: p.version, ARN: this.arn(p.name) } };
    });
    m.on(GetParametersByPathCommand).callsFake(async (input) => (this.clock.count?.('GetParametersByPath'), {
      Parameters: this.under(input.Path ?? '/', input.Recursive ?? false).map((p) => ({
        Name: p.name,
        Type: p.type,
        Value: p.type === 'SecureString' && !input.WithDecryption ? `encrypted:${Buffer.from(p.value).toString('base64')}` : p.value,
        Version: p.version,
        ARN: this.arn(p.name),
      })),
    }));
    m.on(DescribeParametersCommand).callsFake(async (input) => {
      const path = input.ParameterFilters?.find((f: { Key?: string }) => f.Key === 'Path');
      const list = path ? this.under(path.Values?.[0] ?? '/', path.Option === 'Recursive') : [...this.parameters.values()];
      return { Parameters: list.map((p) => ({ Name: p.name, Type: p.type, Version: p.version, ARN: this.arn(p.name), LastModifiedDate: new Date(Date.parse('2026-01-01T00:00:00Z') + p.lastModified * 1000) })) };
    });
    return m;
  }
}
