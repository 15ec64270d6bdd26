import type { Secret } from '@aws-sdk/client-ecs';
import { paginateDescribeParameters } from '@aws-sdk/client-ssm';
import { CONFIG_KEY } from '../../domain/config-keys';
import { ssm } from './aws/ssm';
import { awsCall } from './errors';
import { createLogger } from './logger';

const logger = createLogger('config-secrets');

/**
 * The app's config keys that exist now, as ECS `secrets` (name = key, valueFrom = the parameter's ARN),
 * from Parameter Store metadata only (DescribeParameters): no value is ever read. Names that cannot be
 * environment variables are skipped (and logged).
 */
export async function configSecrets(configPath: string): Promise<Secret[]> {
  const secrets: Secret[] = [];
  await awsCall(`SSM DescribeParameters under ${configPath}`, async () => {
    secrets.length = 0;
    const pages = paginateDescribeParameters({ client: ssm }, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [configPath] }], MaxResults: 50 });
    for await (const page of pages) {
      for (const p of page.Parameters ?? []) {
        const key = (p.Name ?? '').slice(configPath.length + 1);
        if (!CONFIG_KEY.test(key)) {
          logger.warn('skipping a parameter whose name cannot be an environment variable', { name: p.Name });
          continue;
        }
        secrets.push({ name: key, valueFrom: p.ARN ?? p.Name });
      }
    }
  });
  return secrets;
}
