import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DASHBOARD_CACHE_CONTROL, type DashboardConfig } from '../../domain/dashboard';
import { acknowledgeWildcards } from './policy-statements';

/** The page and the configuration the stack writes beside it. */
const PAGE_FILE = 'index.html';
const CONFIG_FILE = 'config.json';
/** Where scripts/build-web.mjs writes the content-hashed files. */
const ASSETS_DIR = 'assets';

/** The dashboard's built files are not there: `npm run build:web` makes them. */
export class DashboardNotBuilt extends Error {
  override readonly name = 'DashboardNotBuilt';
}

/** Properties of {@link DashboardSite}. */
export interface DashboardSiteProps {
  /** The folder of the built dashboard (`npm run build:web` writes dist/web/), with an index.html. */
  readonly webDir: string;
}

/**
 * The static dashboard: a private S3 bucket (public access blocked, SSL enforced, S3-managed encryption,
 * versioned) behind CloudFront with origin access control (CloudFront Developer Guide, "Restricting
 * access to an Amazon S3 origin": the bucket policy lets only this distribution read, through
 * `AWS:SourceArn`), HTTPS only, and the built files plus config.json uploaded with a BucketDeployment.
 */
export class DashboardSite extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  private readonly webDir: string;
  /** The config.json published, once {@link publish} ran. */
  public publishedConfig?: DashboardConfig;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    if (!existsSync(path.join(props.webDir, 'index.html'))) {
      throw new DashboardNotBuilt(`the dashboard is not built: ${props.webDir} has no index.html. Run npm run build:web (it writes dist/web/), then synth again`);
    }
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Slipway dashboard',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: {
        // config.json is rewritten by every stack update (function URL, role, provider): never served
        // from CloudFront's cache (CachingDisabled: TTLs 0, CloudFront Developer Guide, "Use managed
        // cache policies"), so a page loaded after an update never signs in with the old one.
        [CONFIG_FILE]: {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    this.webDir = props.webDir;
    this.acknowledge();
  }

  /** `https://<distribution domain>`: where people open the dashboard (and the origin the actions URL allows). */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Uploads the built files and config.json (tokens allowed: the stack fills in the function URL and
   * ARNs), each with the Cache-Control `slipway local serve` also sends (domain/dashboard.ts
   * DASHBOARD_CACHE_CONTROL): the content-hashed files under assets/ for a year, immutable; index.html
   * `no-cache` (revalidated: it names the current assets, and the old ones are pruned); config.json
   * `no-store`. S3 returns an object's Cache-Control metadata as the response header, and CloudFront passes
   * it on (Amazon S3 User Guide, "Working with object metadata": system-defined metadata). Three deployments
   * because BucketDeployment sets one Cache-Control on all the objects it writes; each includes only its
   * own files, and an excluded file is left alone by a prune (aws-cdk-lib/aws-s3-deployment, `exclude`).
   * dist/web/build.json (the build's size report) is not uploaded. All three use the same provider function.
   */
  publish(config: DashboardConfig): void {
    this.publishedConfig = config;
    const common = { destinationBucket: this.bucket, distribution: this.distribution, memoryLimit: 256 };
    new s3deploy.BucketDeployment(this, 'Files', {
      ...common,
      sources: [s3deploy.Source.asset(this.webDir)],
      exclude: ['*'],
      include: [`${ASSETS_DIR}/*`],
      cacheControl: [s3deploy.CacheControl.fromString(DASHBOARD_CACHE_CONTROL.assets)],
      distributionPaths: [`/${ASSETS_DIR}/*`],
      prune: true,
    });
    new s3deploy.BucketDeployment(this, 'Page', {
      ...common,
      sources: [s3deploy.Source.asset(this.webDir)],
      exclude: ['*'],
      include: [PAGE_FILE],
      cacheControl: [s3deploy.CacheControl.fromString(DASHBOARD_CACHE_CONTROL.page)],
      distributionPaths: ['/', `/${PAGE_FILE}`],
      prune: false,
    });
    new s3deploy.BucketDeployment(this, 'Config', {
      ...common,
      sources: [s3deploy.Source.jsonData(CONFIG_FILE, config)],
      cacheControl: [s3deploy.CacheControl.fromString(DASHBOARD_CACHE_CONTROL.config)],
      distributionPaths: [`/${CONFIG_FILE}`],
      prune: false,
    });
    this.acknowledgeDeployment();
  }

  /** cdk-nag findings of a static site that are accepted, each with its reason. */
  private acknowledge(): void {
    Validations.of(this.bucket).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'The dashboard bucket holds only the built static files, written by the stack\'s deployment; CloudFront reads it through origin access control. Server access logs would record nothing but CloudFront\'s reads.' },
    );
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'The dashboard serves static files only; every data call needs a person\'s signed-in AWS credentials, so geography is not a control worth restricting on.' },
      { id: 'AwsSolutions-CFR2', reason: 'Static files only (no server behind the distribution): the AWS calls the page makes are authorized by IAM, not by the distribution, so a WAF would protect nothing.' },
      { id: 'AwsSolutions-CFR3', reason: 'Static files only; who did what is recorded by CloudTrail for the AWS calls (signed with each person\'s session), not by the file reads.' },
      { id: 'AwsSolutions-CFR4', reason: 'The distribution uses the default *.cloudfront.net certificate, where CloudFront fixes the TLS policy (TLSv1 minimum) whatever is configured; give the dashboard a domain with an ACM certificate to enforce TLSv1.2_2021, which is configured.' },
    );
  }

  private acknowledgeDeployment(): void {
    // The BucketDeployment's provider: a CDK singleton function and its role (aws-cdk-lib/aws-s3-deployment).
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      Validations.of(child).acknowledge({ id: 'AwsSolutions-L1', reason: 'CDK\'s BucketDeployment provider picks its own runtime (aws-cdk-lib/aws-s3-deployment).' });
      const role = child.node.tryFindChild('ServiceRole');
      if (!(role instanceof iam.Role)) continue;
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK\'s BucketDeployment provider writes its own logs with AWSLambdaBasicExecutionRole (aws-cdk-lib/aws-s3-deployment).',
      });
      acknowledgeWildcards(role, 'CDK\'s BucketDeployment provider (aws-cdk-lib/aws-s3-deployment): reads the staged asset from the CDK bootstrap bucket, writes and prunes the objects of the dashboard bucket, and invalidates the distribution (CloudFront CreateInvalidation has no narrower resource in CDK\'s grant).');
    }
  }
}
