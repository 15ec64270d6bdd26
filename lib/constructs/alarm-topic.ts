import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Name of the SNS topic, e.g. `slipway-example-alarms`. */
  readonly topicName: string;
  /** Shown as the sender name of e-mail notifications. */
  readonly displayName: string;
  /** E-mail addresses to subscribe (each confirms once, from the message SNS sends). @default [] */
  readonly emails?: readonly string[];
}

/**
 * An SNS topic encrypted with its own customer-managed KMS key (rotated yearly), SSL-only, whose key
 * policy lets CloudWatch alarms and EventBridge rules of this account publish to it, and the e-mail
 * subscriptions of the config. `alarmAction` is what an alarm adds to notify it.
 */
export class AlarmTopic extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  /** Alarm (and OK) action that publishes to the topic. */
  public readonly alarmAction: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the ${props.topicName} SNS topic`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications on its own behalf and needs the key to encrypt them (SNS
    // docs, "encrypted topics and AWS service event sources"); an EventBridge target gets its grant from CDK.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
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
    this.alarmAction = new cwActions.SnsAction(this.topic);
  }

  /** Sends the alarm's ALARM and OK transitions to the topic. */
  notify(...alarms: cloudwatch.Alarm[]): void {
    for (const alarm of alarms) {
      alarm.addAlarmAction(this.alarmAction);
      alarm.addOkAction(this.alarmAction);
    }
  }
}
