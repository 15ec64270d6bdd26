import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { lambdaLogGroupName } from '../../domain';

/** The repository's `functions/` folder: one sub-folder per handler, each with an `index.ts`. */
export const FUNCTIONS_DIR = path.join(__dirname, '..', '..', 'functions');

/**
 * How every Slipway Lambda is bundled. `scripts/measure-bundles.ts` bundles with these same values,
 * so the sizes it reports are the sizes that get deployed.
 */
export const BUNDLING_DEFAULTS = {
  /** esbuild target matching {@link lambda.Runtime.NODEJS_22_X}. */
  target: 'node22',
  /** The Node.js 22 runtime ships the AWS SDK for JavaScript v3: never bundle it. */
  externalModules: ['@aws-sdk/*'],
  minify: true,
  sourceMap: true,
} as const;

/** Path of a handler's entry file: `functions/<name>/index.ts`. */
export function functionEntry(name: string): string {
  return path.join(FUNCTIONS_DIR, name, 'index.ts');
}

/** Names accepted as a handler folder (they also end up in the Lambda's log group name). */
const HANDLER_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export interface SlipwayFunctionProps {
  /** Handler folder under `functions/`; the entry is `functions/<name>/index.ts` exporting `handler`. */
  readonly name: string;
  /**
   * The function's name in Lambda (at most 64 characters); its log group is then `/aws/lambda/<functionName>`,
   * so policies in other stacks can address both by name.
   * @default - a name CloudFormation generates, and a log group with a generated name
   */
  readonly functionName?: string;
  /** What the function does, shown in the Lambda console. @default - none */
  readonly description?: string;
  /** Environment variables, in addition to `NODE_OPTIONS=--enable-source-maps`. @default - none */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** How long the function's log group keeps logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the function is removed. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Modules to leave out of the bundle besides the AWS SDK (e.g. an optional native driver). @default none */
  readonly externalModules?: readonly string[];
  /**
   * Files the bundle needs beside its `index.js` at run time (e.g. a WASM module a dependency reads from
   * its own folder), copied after bundling. Absolute paths. @default none
   */
  readonly filesBesideBundle?: readonly string[];
  /** Run the function in this VPC; the role gets the network-interface actions Lambda needs. @default not in a VPC */
  readonly vpc?: ec2.IVpc;
  /** Subnets in `vpc`. @default the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups in `vpc`. @default a new group CDK creates */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/**
 * The one place Lambda defaults live: Node.js 22 on arm64, esbuild-minified with source maps (the SDK
 * left to the runtime), an explicit log group with retention, active X-Ray tracing, and a role that
 * can write only to that log group (no managed policy). Grant anything else explicitly on `role`.
 */
export class SlipwayFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's execution role: log-group write access only, until you grant more. */
  public readonly role: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SlipwayFunctionProps) {
    super(scope, id);
    if (!HANDLER_NAME.test(props.name)) {
      throw new Error(`SlipwayFunction name "${props.name}" must be a handler folder name under functions/ (lowercase letters, digits and hyphens)`);
    }
    const memorySize = props.memorySize ?? 256;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`SlipwayFunction "${props.name}": memorySize must be an integer from 128 to 10240 MB, got ${memorySize}`);
    }
    if (props.environment?.NODE_OPTIONS !== undefined) {
      throw new Error(`SlipwayFunction "${props.name}": environment.NODE_OPTIONS is set by the construct (--enable-source-maps)`);
    }

    if (props.functionName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) {
      throw new Error(`SlipwayFunction "${props.name}": functionName "${props.functionName}" must be 1 to 64 letters, digits, hyphens or underscores`);
    }
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.functionName !== undefined ? lambdaLogGroupName(props.functionName) : undefined,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Slipway ${props.name} function`,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy (logs:* on every log group).
    this.logGroup.grantWrite(this.role);
    // X-Ray's actions have no resource-level permissions: keep them in a policy of their own so the
    // Resource "*" acknowledgement below cannot hide a wildcard granted later on `role`.
    const tracingPolicy = new iam.Policy(this.role, 'TracingPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
    });
    this.role.attachInlinePolicy(tracingPolicy);
    if (props.vpc) {
      // Lambda's VPC networking, as AWSLambdaVPCAccessExecutionRole grants it (without its logs:*). A
      // child of the role, so the function's dependency on the role covers it.
      const vpcPolicy = new iam.Policy(this.role, 'VpcAccessPolicy', {
        statements: [
          new iam.PolicyStatement({
            actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
            resources: ['*'],
          }),
        ],
      });
      this.role.attachInlinePolicy(vpcPolicy);
      Validations.of(vpcPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'A Lambda function in a VPC needs these EC2 network-interface actions, which support no resource-level permissions (same as AWSLambdaVPCAccessExecutionRole, without its logs:*).',
      });
    }

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: functionEntry(props.name),
      functionName: props.functionName,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? Duration.seconds(30),
      // Immutable view: CDK would otherwise add its own X-Ray statement to the role's default policy.
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      ...(props.vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups } : {}),
      bundling: {
        minify: BUNDLING_DEFAULTS.minify,
        sourceMap: BUNDLING_DEFAULTS.sourceMap,
        target: BUNDLING_DEFAULTS.target,
        externalModules: [...(props.externalModules ?? []), ...BUNDLING_DEFAULTS.externalModules],
        ...(props.filesBesideBundle?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => props.filesBesideBundle!.map((file) => `cp ${JSON.stringify(file)} ${JSON.stringify(outputDir)}`),
              },
            }
          : {}),
      },
    });

    // The role (with its default policy, where grants land) must exist before the function runs.
    this.function.node.addDependency(this.role);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Slipway pins nodejs22.x on purpose: handlers and the local runner are tested against Node 22; moving to a newer runtime is a deliberate, tested upgrade, not a synth-time default.',
    });
    Validations.of(tracingPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
  }
}
