import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';

/** The DeploymentConfigError message that parsing `raw` throws; fails the test when it parses, or throws anything else. */
export function configErrorOf(raw: unknown): string {
  try {
    parseDeploymentConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(DeploymentConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a DeploymentConfigError');
}
