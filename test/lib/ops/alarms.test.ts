import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { alertsShard, alertsTopicName } from '../../../domain/alerts';
import { listAlarms } from '../../../lib/ops/alarms';

/** `slipway alarms`'s operation: the app's alarms, with CloudWatch mocked. */

const cloudwatch = mockClient(CloudWatchClient);
const cw = { cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }) };

beforeEach(() => cloudwatch.reset());

describe('listAlarms', () => {
  // An app's alarms notify its alerts shard of its cluster's topics (domain/alerts.ts).
  const topic = (app: string) => `arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'production', alertsShard(app))}`;
  const alarm = (name: string, state: MetricAlarm['StateValue'], app = 'example'): MetricAlarm => ({
    AlarmName: name,
    StateValue: state,
    StateReason: `reason of ${name}`,
    StateUpdatedTimestamp: new Date('2026-07-07T10:00:00Z'),
    AlarmActions: [topic(app)],
  });

  it('lists the app\'s alarms across pages, those in ALARM first', async () => {
    // Prepare
    cloudwatch
      .on(DescribeAlarmsCommand, { NextToken: undefined })
      .resolves({ MetricAlarms: [alarm('slipway-example--web-cpu', 'OK'), alarm('slipway-example-deploy-failed', 'ALARM')], NextToken: 'n' })
      .on(DescribeAlarmsCommand, { NextToken: 'n' })
      .resolves({ MetricAlarms: [alarm('slipway-example--web-memory', 'INSUFFICIENT_DATA')] });

    // Act
    const alarms = await listAlarms(cw, { app: 'example' });

    // Assess
    expect(alarms.map((a) => [a.name, a.state])).toEqual([
      ['slipway-example-deploy-failed', 'ALARM'],
      ['slipway-example--web-memory', 'INSUFFICIENT_DATA'],
      ['slipway-example--web-cpu', 'OK'],
    ]);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'slipway-example--' });
  });

  it('leaves out the alarms of an app whose name starts with this one\'s (example-api), by the app\'s alarm names', async () => {
    // Whatever shard example-api is in: with its processes known, only example's own alarm names count.
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('slipway-example--web-cpu', 'OK'), { ...alarm('slipway-example-api--web-cpu', 'ALARM', 'example-api'), AlarmActions: [topic('example')] }] });
    expect((await listAlarms(cw, { app: 'example', processes: ['web'], controlPlane: 'production' })).map((a) => a.name)).toEqual(['slipway-example--web-cpu']);
  });

  it('leaves out an alarm that notifies another shard or another control plane', async () => {
    const other = `arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'staging', alertsShard('example'))}`;
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('slipway-example--web-cpu', 'OK'), { ...alarm('slipway-example--web-memory', 'OK'), AlarmActions: [other] }] });
    expect((await listAlarms(cw, { app: 'example', processes: ['web'], controlPlane: 'production' })).map((a) => a.name)).toEqual(['slipway-example--web-cpu']);
  });

  it('uses the configured prefix', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    await listAlarms(cw, { app: 'example', prefix: 'acme' });
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'acme-example--' });
  });
});
