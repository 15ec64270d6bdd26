import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alertsKeyAliasName } from '../../domain/alerts';

export interface AlarmTopicProps {
  /** Name of the SNS topic, e.g. `slipway-example-alarms`. */
  readonly topicName: string;
  /** Shown as the sender name of e-mail notifications. */
  readonly displayName: string;
  /** E-mail addresses to subscribe (each confirms once, from the message SNS sends). @default [] */
  readonly emails?: readonly string[];
  /**
   * The KMS key that encrypts the topic: the account's alerts key ({@link alertsKeyAliasName}, one per
   * account, whose key policy lets CloudWatch and EventBridge use it). @default - a key of the topic's own
   */
  readonly masterKey?: kms.IKey;
}

/**
 * An SNS topic encrypted with a customer-managed KMS key (the account's alerts key, or one of its own,
 * rotated yearly), SSL-only, that CloudWatch alarms and EventBridge rules of this account may publish to,
 * and the e-mail subscriptions of the config. `notify` sends an alarm's transitions to it.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = props.masterKey ?? alertsKey(this, 'Key', `Encrypts the ${props.topicName} SNS topic`);
    this.topic = new sns.Topic(this, 'Topic', { topicName: props.topicName, displayName: props.displayName, masterKey: this.key, enforceSSL: true });
    // enforceSSL replaces SNS's default topic policy, so CloudWatch's right to publish is stated here.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    for (const email of props.emails ?? []) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
  }

  /** Sends the alarm's ALARM and OK transitions to the topic. */
  notify(...alarms: cloudwatch.Alarm[]): void {
    const action = new cwActions.SnsAction(this.topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}

/**
 * A customer-managed key for SNS alert topics, rotated yearly, whose key policy lets CloudWatch alarms
 * and EventBridge rules of this account encrypt what they publish (SNS Developer Guide, "Configure AWS KMS
 * permissions for AWS services" of encrypted topics: the service principal needs kms:Decrypt and
 * kms:GenerateDataKey* on the key).
 */
export function alertsKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, pendingWindow: Duration.days(7), removalPolicy: RemovalPolicy.DESTROY });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, "*" is this key
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  // EventBridge rule targets (pipeline failures): the grant CDK's SnsTopic target would add to a key it owns.
  // Which topics EventBridge may publish to is decided by each topic's policy.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeRulesPublish',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  return key;
}
