import { DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { ListTagsForResourceCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Command } from 'commander';
import { ABAC_CHECK } from '../../../domain/abac';
import type { OpsClients } from '../../../lib/ops/aws';
import { doctor, missingTags } from '../../../lib/ops/doctor';
import { formatDoctor, registerDoctorCommand } from '../../../lib/cli/doctor-command';
import { ACCOUNT, CONTROL_PLANE, REGION, serveSettings, settingsFor, tableOf } from './settings-fixtures';

const dynamodb = mockClient(DynamoDBClient);
const scheduler = mockClient(SchedulerClient);
const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), sts: new STSClient({ region: REGION }), ssm: new SSMClient({ region: REGION }), scheduler: new SchedulerClient({ region: REGION }) };
const TAGGED = [
  { Key: 'slipway:control-plane', Value: CONTROL_PLANE },
  { Key: 'slipway:app', Value: 'example' },
];

beforeEach(() => {
  for (const m of [dynamodb, scheduler, sts, ssm]) m.reset();
  serveSettings(ssm, { example: settingsFor('example') });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  dynamodb.on(ListTagsOfResourceCommand).resolves({ Tags: TAGGED });
  scheduler.on(ListTagsForResourceCommand).resolves({ Tags: TAGGED });
});

describe('slipway doctor', () => {
  test('an app whose table and schedule group are tagged for its control plane passes; ABAC is a manual check, as AWS has no API for it', async () => {
    const report = await doctor(clients, 'example');
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.check, c.status])).toEqual([
      ['settings', 'ok'],
      ['table-tags', 'ok'],
      ['schedule-group-tags', 'ok'],
      ['dynamodb-abac', 'manual'],
    ]);
    expect(report.checks[3].detail).toBe(ABAC_CHECK);
    expect(dynamodb).toHaveReceivedCommandWith(ListTagsOfResourceCommand, { ResourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableOf('example')}` });
    expect(scheduler).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/slipway-production.example` });
  });

  test('a table tagged for another control plane, or a schedule group without tags, fails and says what to do', async () => {
    dynamodb.on(ListTagsOfResourceCommand).resolves({ Tags: [{ Key: 'slipway:control-plane', Value: 'staging' }, { Key: 'slipway:app', Value: 'example' }] });
    scheduler.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    const report = await doctor(clients, 'example');
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.check === 'table-tags')).toEqual({ check: 'table-tags', status: 'failed', detail: expect.stringContaining(`slipway:control-plane is "staging", not "${CONTROL_PLANE}"`) });
    expect(report.checks.find((c) => c.check === 'schedule-group-tags')?.detail).toContain('slipway:control-plane=production is missing; slipway:app=example is missing');
    expect(formatDoctor(report)).toContain('FAILED table-tags');
  });

  test('missingTags names each missing or different tag', () => {
    expect(missingTags({ 'slipway:control-plane': 'prod', 'slipway:app': 'shop' }, 'shop', 'prod')).toEqual([]);
    expect(missingTags({ 'slipway:app': 'shop-api' }, 'shop', 'prod')).toEqual(['slipway:control-plane=prod is missing', 'slipway:app is "shop-api", not "shop"']);
  });

  describe('the command', () => {
    const run = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      let code = -1;
      const program = new Command().exitOverride();
      registerDoctorCommand(program, { clients: () => clients, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), exit: (c: number) => { code = c; } } as never);
      await program.parseAsync(['node', 'slipway', ...args]).catch(() => undefined);
      return { out: out.join('\n'), err: err.join('\n'), code };
    };

    test('--json prints the report, and a failed check exits 1', async () => {
      scheduler.on(ListTagsForResourceCommand).resolves({ Tags: [] });
      const { out, code } = await run(['doctor', 'example', '--json']);
      expect(code).toBe(1);
      expect(JSON.parse(out)).toMatchObject({ app: 'example', account: ACCOUNT, region: REGION, ok: false });
    });

    test('every check passed or manual: exit 0; a bad app name: exit 2 before any AWS call', async () => {
      expect((await run(['doctor', 'example'])).code).toBe(0);
      ssm.resetHistory();
      const bad = await run(['doctor', 'Bad_Name']);
      expect(bad.code).toBe(2);
      expect(ssm.calls()).toHaveLength(0);
    });
  });
});
