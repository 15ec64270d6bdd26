import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { appParameterPath, scheduleGroupName, settingsParameterName } from '../../domain';
import { buildAppSettings, type AppSettingsSources } from '../app-settings';
import type { AppConstructProps } from './app-construct-props';
import { settingsTier } from '../settings-tier';
import { tagForControlPlane } from './control-plane';
import { pipelineTable } from './pipeline-table';

export interface AppRecordsProps extends AppConstructProps {
  /** What the settings say about the app's other resources (the table's name is this construct's). */
  readonly resources: Omit<AppSettingsSources, 'prefix' | 'app' | 'region' | 'table' | 'controlPlane'>;
}

/**
 * The app's entry in its cluster's shared control plane: its table (builds, releases, claims), its
 * EventBridge Scheduler group `<prefix>-<app>`, and its settings `/<prefix>/apps/<app>/settings` (a
 * CloudFormation parameter, no custom resource) that tell the control plane where everything of the app is.
 */
export class AppRecords extends Construct {
  /**
   * The app's table, at the construct path `Pipelines/Table` of the versions with per-app pipelines, so
   * that its logical ID, and the table, stay the same when an app moves onto the shared control plane.
   */
  public readonly table: dynamodb.Table;
  /** The app's settings: `/<prefix>/apps/<app>/settings`. */
  public readonly settings: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: AppRecordsProps) {
    super(scope, id);
    const former = new Construct(this, 'Pipelines');
    const { prefix, app, controlPlane } = props;
    // Kept when the stack is deleted: the app's history. Waiters written there by earlier versions still
    // expire; new ones live in the control table.
    this.table = pipelineTable(former, 'Table', RemovalPolicy.RETAIN);
    tagForControlPlane(this.table, controlPlane, app.name);
    // The app's schedule group, at its former path too.
    // Tagged for its control plane: EventBridge Scheduler authorizes schedule actions on the tags of the
    // schedule's group (schedules themselves carry no tags), so sync-schedules reaches only its own apps' groups.
    const group = new scheduler.CfnScheduleGroup(former, 'ScheduleGroup', { name: scheduleGroupName(prefix, controlPlane, app.name) });
    tagForControlPlane(group, controlPlane, app.name);

    const stack = Stack.of(this);
    const settings = buildAppSettings({ ...props.resources, prefix, app, region: stack.region, table: this.table.tableName, controlPlane });
    this.settings = new ssm.StringParameter(this, 'Settings', {
      parameterName: settingsParameterName(appParameterPath(prefix, app.name)),
      description: `Slipway app ${app.name}: settings read by the ${controlPlane} control plane`,
      stringValue: stack.toJsonString(settings),
      // Intelligent-Tiering: standard (free) unless the account's 10,000 standard parameters are taken
      // (by config keys), then advanced, instead of failing the stack (lib/ops/config-keys.ts, CONFIG_KEY_TIER).
      tier: settingsTier(app.name, settings) === 'Standard' ? ssm.ParameterTier.INTELLIGENT_TIERING : ssm.ParameterTier.ADVANCED,
    });
  }
}
