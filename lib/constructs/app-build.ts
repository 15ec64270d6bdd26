import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { codeBuildProjectName } from '../../domain';
import type { AppImagesProps } from './app-image-repository';
import { CONTROL_PLANE_BUILD_VARIABLE, controlPlaneBuildMarker } from './control-plane';
import { acknowledgeWildcards } from './policy-statements';

/** The BuildSpec: log in to ECR, build, push `build-<number>` and `<commit>` tags, record metadata. */
export function appBuildSpec(): Record<string, unknown> {
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      pre_build: {
        commands: [
          'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"',
          'IMAGE_TAG="build-$CODEBUILD_BUILD_NUMBER"',
          'COMMIT_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
        ],
      },
      build: {
        commands: [
          'docker build --tag "$REPOSITORY_URI:$IMAGE_TAG" --tag "$REPOSITORY_URI:$COMMIT_TAG" .',
          'docker push "$REPOSITORY_URI:$IMAGE_TAG"',
          'docker push "$REPOSITORY_URI:$COMMIT_TAG"',
        ],
      },
      post_build: {
        commands: [
          'printf \'{"build":"%s","commit":"%s","image":"%s"}\\n\' "$CODEBUILD_BUILD_NUMBER" "$COMMIT_TAG" "$REPOSITORY_URI:$IMAGE_TAG" > build.json',
        ],
      },
    },
    artifacts: { files: ['build.json'] },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The app's build: the CodeBuild project `<prefix>-<app>` (the name the control plane's build rule matches
 * and derives the app from), built on pushes to the app's branch, its artifact bucket (build metadata) with
 * an access-log bucket; it writes the build log group it is given. The project may push to and pull from the
 * image repository, and nothing else of the app.
 */
export class AppBuild extends Construct {
  /** The CodeBuild project `<prefix>-<app>`. */
  public readonly project: codebuild.Project;

  constructor(scope: Construct, id: string, props: AppImagesProps) {
    super(scope, id);
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the artifact bucket\'s server access logs; logging it to itself would log its own log deliveries.',
    });
    const artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const { prefix, app, repository } = props;
    this.project = new codebuild.Project(this, 'Build', {
      projectName: codeBuildProjectName(prefix, app.name),
      description: `Builds ${app.repository.owner}/${app.repository.name} (${app.repository.branch}) into ${prefix}/${app.name}`,
      source: codebuild.Source.gitHub({
        owner: app.repository.owner,
        repo: app.repository.name,
        branchOrRef: app.repository.branch,
        webhook: true,
        // Anchored: CodeBuild patterns are regular expressions, and `refs/heads/main` alone also matches `refs/heads/main-old`.
        webhookFilters: [codebuild.FilterGroup.inEventOf(codebuild.EventAction.PUSH).andHeadRefIs(`^refs/heads/${escapeRegExp(app.repository.branch)}$`)],
      }),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.SMALL,
        privileged: true,
        environmentVariables: {
          REPOSITORY_URI: { value: repository.repositoryUri },
          // Which control plane's build rule starts on this project's builds (docs/control-plane.md).
          [CONTROL_PLANE_BUILD_VARIABLE]: { value: controlPlaneBuildMarker(prefix, props.controlPlane) },
        },
      },
      buildSpec: codebuild.BuildSpec.fromObject(appBuildSpec()),
      artifacts: codebuild.Artifacts.s3({ bucket: artifactBucket, includeBuildId: true, packageZip: false, name: 'metadata' }),
      logging: { cloudWatch: { logGroup: props.logGroup } },
      timeout: Duration.minutes(60),
    });
    repository.grantPullPush(this.project);
    if (app.repository.connectionArn) this.useConnection(app.repository.connectionArn);
    Validations.of(this.project).acknowledge(
      { id: 'AwsSolutions-CB3', reason: 'Privileged mode is required to run the Docker daemon that builds the app image.' },
      {
        id: 'AwsSolutions-CB4',
        reason: 'Build artifacts are only a small metadata file, encrypted at rest by the artifact bucket\'s S3-managed key; a customer-managed KMS key per app would add cost without changing who can read them (the bucket is private, SSL-only).',
      },
    );
    acknowledgeWildcards(
      this.project.role as iam.Role,
      'CodeBuild\'s generated policy: ecr:GetAuthorizationToken supports no resource-level permissions; report groups are named <project>-*; log streams of the build log group and artifact objects are created per build.',
    );
  }

  /**
   * Reads the repository through an AWS CodeConnections (GitHub App) connection instead of the account's
   * default source credential: the project's source `Auth` is the connection, and its role may use that
   * connection alone ("Grant CodeBuild project IAM role access to use the connection",
   * docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html; the actions' prefix is the
   * ARN's service, codeconnections or its former name codestar-connections).
   */
  private useConnection(connectionArn: string): void {
    (this.project.node.defaultChild as codebuild.CfnProject).addPropertyOverride('Source.Auth', { Type: 'CODECONNECTIONS', Resource: connectionArn });
    const service = connectionArn.split(':')[2];
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: [`${service}:GetConnectionToken`, `${service}:GetConnection`], resources: [connectionArn] }));
  }
}
