import { paginateGetParametersByPath, type SSMClient } from '@aws-sdk/client-ssm';
import { appParameterPath, appsParameterPath, settingsParameterName, APP_NAME } from '../../domain/names';
import { AwsError } from './aws-errors';
import { aws, parseSettings } from './aws';
import type { AppsOutput } from './schemas';
import { escapeForTerminal } from './terminal';

/** The app a parameter name is the settings parameter of (`/<prefix>/apps/<app>/settings`), else undefined. */
export function appOfSettingsParameter(name: string, prefix: string): string | undefined {
  const base = `${appsParameterPath(prefix)}/`;
  if (!name.startsWith(base)) return undefined;
  const app = name.slice(base.length, name.length - '/settings'.length);
  return APP_NAME.test(app) && name === settingsParameterName(appParameterPath(prefix, app)) ? app : undefined;
}

/** The cluster's name from a cluster name or ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`). */
function clusterName(cluster: string): string {
  const i = cluster.indexOf(':cluster/');
  return i >= 0 ? cluster.slice(i + ':cluster/'.length) : cluster;
}

/**
 * `slipway apps`: the apps deployed in the account and region under `prefix`, read from their settings
 * parameters (GetParametersByPath on `/<prefix>/apps`, recursive, String parameters only: the config
 * keys are SecureStrings and are not read). A settings parameter that is not valid settings is listed
 * under `invalid` with its error, not fatal to the list.
 */
export async function listApps(ssm: SSMClient, prefix: string): Promise<AppsOutput> {
  const region = await ssm.config.region().catch(() => undefined);
  if (!region) throw new AwsError('NoRegion', 'no AWS region: pass --region, set AWS_REGION, or use a profile with a region');
  const path = appsParameterPath(prefix);
  const apps: AppsOutput['apps'] = [];
  const invalid: AppsOutput['invalid'] = [];
  await aws(`SSM GetParametersByPath ${path}`, async () => {
    // Type is one of the filters GetParametersByPath accepts (with KeyId and Label): SSM API Reference,
    // ParameterStringFilter.
    for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: true, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['String'] }] })) {
      for (const p of page.Parameters ?? []) {
        const app = p.Name ? appOfSettingsParameter(p.Name, prefix) : undefined;
        if (!app || !p.Name) continue;
        try {
          const s = parseSettings(p.Value, p.Name, app);
          apps.push({ app, processes: Object.keys(s.processes).sort(), controlPlane: s.controlPlane, cluster: clusterName(s.cluster), table: s.table, parameter: p.Name });
        } catch (e) {
          invalid.push({ parameter: p.Name, error: (e as Error).message });
        }
      }
    }
  });
  apps.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return { prefix, region, apps, invalid };
}

/** Human output of `apps`: one line per app, aligned; invalid settings parameters after them. */
export function renderApps(out: AppsOutput): string {
  if (out.apps.length === 0 && out.invalid.length === 0) return `no apps under ${out.prefix} in ${out.region} (no ${appsParameterPath(out.prefix)}/<app>/settings parameter): check --prefix, --region and --profile`;
  const header = ['APP', 'CONTROL PLANE', 'CLUSTER', 'PROCESSES'];
  const rows = out.apps.map((a) => [a.app, a.controlPlane, a.cluster, a.processes.join(',')].map((c) => escapeForTerminal(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const line = (r: string[]) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
  const lines = [`${out.apps.length} app${out.apps.length === 1 ? '' : 's'} under ${escapeForTerminal(out.prefix)} in ${escapeForTerminal(out.region)}`, line(header), ...rows.map(line)];
  if (out.invalid.length > 0) lines.push('', 'invalid settings parameters (deploy these app stacks again):', ...out.invalid.map((i) => `  ${escapeForTerminal(i.parameter)}: ${escapeForTerminal(i.error)}`));
  return lines.join('\n');
}
