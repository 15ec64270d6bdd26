import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { imageRepositoryName } from '../../domain/names';
import type { AppConstructProps } from './app-construct-props';


/** What the constructs that use the app's images are told: the build pushes them, the tasks pull them. */
export interface AppImagesProps extends AppConstructProps {
  /** The app's image repository. */
  readonly repository: ecr.IRepository;
  /** The log group the builds or the tasks write. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * The app's images: the ECR repository `<prefix>/<app>`, scanned on push, kept when the stack is deleted;
 * untagged images expire after 7 days and the last 100 `build-*` images are kept (rollback needs recent builds).
 */
export class AppImageRepository extends Construct {
  public readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: AppConstructProps) {
    super(scope, id);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: imageRepositoryName(props.prefix, props.app.name),
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { rulePriority: 1, description: 'Expire untagged images after 7 days', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) },
        // Rollback needs recent builds: keep the last 100 (a running revision is always among them in practice).
        { rulePriority: 2, description: 'Keep the last 100 build images', tagStatus: ecr.TagStatus.TAGGED, tagPrefixList: ['build-'], maxImageCount: 100 },
      ],
    });
  }
}
