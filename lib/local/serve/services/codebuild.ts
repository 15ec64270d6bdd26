import type { ServiceModel } from '../model';

/**
 * CodeBuild operations (API reference, "Actions"); the SDK's CodeBuild client is not a dependency of
 * Slipway, so the list is written here. Builds arrive as CodeBuild's events (`slipway local event`).
 */
const CODEBUILD_OPERATIONS = [
  'BatchDeleteBuilds', 'BatchGetBuildBatches', 'BatchGetBuilds', 'BatchGetFleets', 'BatchGetProjects', 'BatchGetReportGroups', 'BatchGetReports', 'BatchGetSandboxes',
  'CreateFleet', 'CreateProject', 'CreateReportGroup', 'CreateWebhook', 'DeleteBuildBatch', 'DeleteFleet', 'DeleteProject', 'DeleteReport', 'DeleteReportGroup',
  'DeleteResourcePolicy', 'DeleteSourceCredentials', 'DeleteWebhook', 'DescribeCodeCoverages', 'DescribeTestCases', 'GetReportGroupTrend', 'GetResourcePolicy',
  'ImportSourceCredentials', 'InvalidateProjectCache', 'ListBuildBatches', 'ListBuildBatchesForProject', 'ListBuilds', 'ListBuildsForProject', 'ListCommandExecutionsForSandbox',
  'ListCuratedEnvironmentImages', 'ListFleets', 'ListProjects', 'ListReportGroups', 'ListReports', 'ListReportsForReportGroup', 'ListSandboxes', 'ListSandboxesForProject',
  'ListSharedProjects', 'ListSharedReportGroups', 'ListSourceCredentials', 'PutResourcePolicy', 'RetryBuild', 'RetryBuildBatch', 'StartBuild', 'StartBuildBatch',
  'StartCommandExecution', 'StartSandbox', 'StartSandboxConnection', 'StopBuild', 'StopBuildBatch', 'StopSandbox', 'UpdateFleet', 'UpdateProject',
  'UpdateProjectVisibility', 'UpdateReportGroup', 'UpdateWebhook',
];

/** CodeBuild (awsJson1_1, `CodeBuild_20161006.<Operation>`): the apps' projects `<prefix>-<app>`; builds are not simulated. */
export const codeBuildService: ServiceModel = {
  title: 'CodeBuild',
  signingName: 'codebuild',
  protocol: 'awsJson1_1',
  targetPrefix: 'CodeBuild_20161006',
  errorNamespace: 'com.amazonaws.codebuild',
  cors: true,
  awsOperations: () => new Set(CODEBUILD_OPERATIONS),
  operations: {
    ListProjects: {
      members: { sortBy: 'string', sortOrder: 'string', nextToken: 'string' },
      // Every app's project is `<prefix>-<app>` (the build rule matches that prefix).
      run: (_input, { account }) => ({ projects: [...account.run.world.apps.keys()].map((app) => `${account.run.prefix}-${app}`).sort() }),
    },
    BatchGetBuilds: {
      required: ['ids'],
      members: { ids: 'list' },
      run: (input) => ({ builds: [], buildsNotFound: (input.ids as unknown[]).map(String) }),
    },
  },
};
