import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { DatabaseConfig } from '../deployment-config';
import { alertsKeyAliasName, databaseAlarmName, databaseAlarmsTopicName } from '../../domain/alerts';
import { AlarmTopic } from './alarm-topic';

export interface DatabaseAlarmsProps {
  /** Slipway's resource-name prefix. */
  readonly prefix: string;
  /** The database's validated config (`name`, `instances`, `monitoring`). */
  readonly config: DatabaseConfig;
  /** The Aurora cluster whose instances are watched. */
  readonly cluster: rds.IDatabaseCluster;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * Alarms on each instance of a database (writer, and reader when there is one): CPU, freeable memory,
 * connections, free local storage (Aurora storage grows by itself; local storage holds temporary
 * tables and logs), with thresholds from `monitoring`, to the database's own encrypted SNS topic.
 */
export class DatabaseAlarms extends Construct {
  public readonly alarmTopic: AlarmTopic;
  /** Every alarm, by a key such as `instance-1-cpu`. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const { prefix, config } = props;
    const m = config.monitoring;
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { topicName: databaseAlarmsTopicName(prefix, config.name), displayName: `Slipway database ${config.name}`, emails: m.emails,
      // The account's one alerts key (AccountStack), not a key per database.
      masterKey: kms.Alias.fromAliasName(this, 'AlertsKey', alertsKeyAliasName(prefix)),
    });
    const period = Duration.seconds(m.periodSeconds);
    props.cluster.instanceIdentifiers.forEach((instance, i) => {
      const n = i + 1;
      const metric = (metricName: string, statistic: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/RDS', metricName, dimensionsMap: { DBInstanceIdentifier: instance }, period, statistic });
      const alarm = (key: string, description: string, props: Pick<cloudwatch.AlarmProps, 'metric' | 'threshold' | 'comparisonOperator'>) => {
        const a = new cloudwatch.Alarm(this, `Instance${n}${key.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Alarm`, {
          alarmName: databaseAlarmName(prefix, config.name, n, key),
          alarmDescription: `Database ${config.name}, instance ${n}: ${description} (${m.evaluationPeriods} × ${m.periodSeconds} s).`,
          evaluationPeriods: m.evaluationPeriods,
          treatMissingData: cloudwatch.TreatMissingData.MISSING,
          ...props,
        });
        this.alarms[`instance-${n}-${key}`] = a;
      };
      alarm('cpu', `average CPU above ${m.cpuPercent}%`, {
        metric: metric('CPUUtilization', cloudwatch.Stats.AVERAGE),
        threshold: m.cpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      alarm('freeable-memory', `freeable memory below ${m.freeableMemoryMiB} MiB`, {
        metric: metric('FreeableMemory', cloudwatch.Stats.MINIMUM),
        threshold: m.freeableMemoryMiB * MIB,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      });
      alarm('connections', `more than ${m.connections} connections`, {
        metric: metric('DatabaseConnections', cloudwatch.Stats.MAXIMUM),
        threshold: m.connections,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      alarm('free-local-storage', `free local storage below ${m.freeLocalStorageGiB} GiB`, {
        metric: metric('FreeLocalStorage', cloudwatch.Stats.MINIMUM),
        threshold: m.freeLocalStorageGiB * GIB,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      });
    });
    this.alarmTopic.notify(...Object.values(this.alarms));
  }
}
