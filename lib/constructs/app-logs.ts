import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appLogGroupName, buildLogGroupName } from '../../domain';
import type { AppConstructProps } from './app-construct-props';

/** The app's two log groups, kept for the config's `logRetentionDays` and retained when the stack is deleted. */
export class AppLogs extends Construct {
  /** `/<prefix>/apps/<app>`: the tasks' output (the execution role writes it). */
  public readonly tasks: logs.LogGroup;
  /** `/<prefix>/apps/<app>/builds`: the builds' output (the CodeBuild project writes it). */
  public readonly builds: logs.LogGroup;

  constructor(scope: Construct, id: string, { prefix, app }: AppConstructProps) {
    super(scope, id);
    const retention = app.logRetentionDays as logs.RetentionDays;
    this.tasks = new logs.LogGroup(this, 'AppLogGroup', { logGroupName: appLogGroupName(prefix, app.name), retention, removalPolicy: RemovalPolicy.RETAIN });
    this.builds = new logs.LogGroup(this, 'BuildLogGroup', { logGroupName: buildLogGroupName(prefix, app.name), retention, removalPolicy: RemovalPolicy.RETAIN });
  }
}
