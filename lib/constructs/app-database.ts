import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { APP_NAME } from '../../functions/shared/settings';
import { databaseNameForApp } from '../../functions/database-manager/identifiers';

/** What an app stack needs from a database stack to get its own database. */
export interface DatabaseEndpoint {
  /** The database manager's custom-resource service token. */
  readonly serviceToken: string;
  /** Cluster writer endpoint host name. */
  readonly hostname: string;
  /** Cluster port. */
  readonly port: string;
  /** Where owner passwords go (`<prefix><owner>`), for roles without IAM auth. */
  readonly ownerSecretPrefix: string;
}

export interface AppDatabaseProps {
  /** Slipway's resource-name prefix (`/<prefix>/apps/<app>/config/...`). */
  readonly prefix: string;
  /** The app's name from the config; its database and role are named after it (`my-app` → `my_app`). */
  readonly app: string;
  /** The database stack's endpoint. */
  readonly database: DatabaseEndpoint;
  /** The owner role logs in with IAM auth tokens (no password anywhere). @default true */
  readonly iamAuth?: boolean;
  /**
   * What happens to the app's database and role when this resource is deleted: `DESTROY` drops them
   * (connections are terminated), anything else keeps them. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An app's own database and owner role in a Slipway database cluster, as a custom resource over the
 * database manager: created on create, re-checked and kept on update, dropped on delete only when the
 * removal policy is `DESTROY`. The app's `DATABASE_URL` (no password: IAM auth) goes to
 * `/<prefix>/apps/<app>/config/DATABASE_URL`, where the app's config lives.
 */
export class AppDatabase extends Construct {
  /** Database name (= owner role name). */
  public readonly databaseName: string;
  /** The connection URL without a password. */
  public readonly url: string;
  /** The `DATABASE_URL` parameter. */
  public readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: AppDatabaseProps) {
    super(scope, id);
    if (!APP_NAME.test(props.app)) {
      throw new Error(`AppDatabase app "${props.app}" must be an app name (lowercase letters, digits and hyphens, starting with a letter, 40 characters at most)`);
    }
    if (!APP_NAME.test(props.prefix)) throw new Error(`AppDatabase prefix "${props.prefix}" must be lowercase letters, digits and hyphens`);
    const iamAuth = props.iamAuth ?? true;
    const removal = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.databaseName = databaseNameForApp(props.app);

    const resource = new CustomResource(this, 'Resource', {
      serviceToken: props.database.serviceToken,
      resourceType: 'Custom::SlipwayAppDatabase',
      properties: {
        Database: this.databaseName,
        Owner: this.databaseName,
        IamAuth: String(iamAuth),
        RemovalPolicy: removal === RemovalPolicy.DESTROY ? 'destroy' : 'retain',
      },
    });

    this.url = `postgresql://${this.databaseName}@${props.database.hostname}:${props.database.port}/${this.databaseName}?sslmode=verify-full`;
    this.parameter = new ssm.StringParameter(this, 'DatabaseUrl', {
      parameterName: `/${props.prefix}/apps/${props.app}/config/DATABASE_URL`,
      stringValue: this.url,
      description: iamAuth
        ? `Connection URL of ${props.app}'s database; log in with an IAM auth token (rds-db:connect) as ${this.databaseName}`
        : `Connection URL of ${props.app}'s database; the password is in the secret ${props.database.ownerSecretPrefix}${this.databaseName}`,
    });
    this.parameter.node.addDependency(resource);
  }
}
