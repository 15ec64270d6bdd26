import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { readRelease, releaseKey, RELEASES_PK, type ReleaseRecord } from '../../domain/releases';
import { dynamoKey } from '../../domain/table';
import { UsageError } from './usage-error';
import { aws, getCurrentRelease, locateApp, queryPages, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import { escapeForTerminal } from './terminal';

/**
 * `slipway releases <app>`: the app's numbered releases (domain/releases.ts), newest first, as the
 * deploy machine's "Number the release" state records them: each a build plus a config (the task
 * definitions its deploy put on the services), with what started it and when. `slipway rollback <app>
 * --to v<n>` (lib/ops/rollback.ts) deploys one of them again.
 */

/** Default number of releases listed. */
export const DEFAULT_RELEASES_LIMIT = 20;

/** One release of `slipway releases`. */
export interface ReleaseLine {
  readonly release: number;
  /** `v<n>`, as typed after `rollback --to`. */
  readonly name: string;
  readonly build: string;
  readonly commit: string | null;
  readonly configVersion: number;
  readonly releasedAt: string;
  readonly by: ReleaseRecord['trigger'];
  /** The release whose build and config this one deployed again (a rollback, a redeploy). */
  readonly sameAs: number | null;
  readonly current: boolean;
  readonly processes: { process: string; taskDefinitionArn: string }[];
  readonly execution: string;
}

/** What `slipway releases --json` prints. */
export interface ReleasesOutput {
  readonly app: string;
  /** The release the app's services run (the newest successful deploy's), if numbered. */
  readonly current: number | null;
  readonly releases: ReleaseLine[];
}

/** Parses `v12` (or `V12`) as a release number; undefined for anything else (a build number). */
export function parseReleaseNumber(text: string): number | undefined {
  const m = /^[vV](\d{1,10})$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`"${text}" is not a release: releases are numbered from v1 (see slipway releases <app>)`);
  return n;
}

/** A numbered release of the app, or undefined when it is not recorded. */
export async function getRelease(clients: OpsClients, target: AppTarget, n: number): Promise<ReleaseRecord | undefined> {
  const out = await aws(`DynamoDB GetItem release v${n}`, () => clients.dynamodb.send(new GetItemCommand({ TableName: target.tableName, Key: dynamoKey(releaseKey(n)), ConsistentRead: true })));
  return readRelease(out.Item);
}

/** The app's numbered releases, newest first (at most `limit`), the current one marked. */
export async function listReleases(clients: OpsClients, app: string, options: LocateOptions & { limit?: number } = {}): Promise<ReleasesOutput> {
  const limit = options.limit ?? DEFAULT_RELEASES_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit must be a whole number from 1 to 1000 (got ${limit})`);
  const target = await locateApp(clients, app, options);
  const records: ReleaseRecord[] = [];
  for await (const items of queryPages(clients, target, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: RELEASES_PK } }, ScanIndexForward: false, Limit: Math.min(limit, 100) })) {
    for (const item of items) {
      const r = readRelease(item);
      if (r && records.length < limit) records.push(r);
    }
    if (records.length >= limit) break;
  }
  const running = await getCurrentRelease(clients, target);
  // The current release is the one whose deploy recorded RELEASE/CURRENT (every successful deploy writes
  // both, the number after the current release).
  const current = running?.execution ? (records.find((r) => r.execution === running.execution)?.number ?? null) : null;
  return {
    app,
    current,
    releases: records.map((r) => ({
      release: r.number,
      name: `v${r.number}`,
      build: r.buildKey,
      commit: r.commit ?? null,
      configVersion: r.configVersion,
      releasedAt: r.releasedAt,
      by: r.trigger,
      sameAs: r.sameAs ?? null,
      current: r.number === current,
      processes: r.processes,
      execution: r.execution,
    })),
  };
}

/** Human output of `slipway releases`. */
export function renderReleases(out: ReleasesOutput): string {
  if (out.releases.length === 0) return `${escapeForTerminal(out.app)} has no numbered release yet: the next successful deploy (a push, slipway deploy, rollback or a config change) records v1`;
  const rows = out.releases.map((r) => [
    `${r.current ? '*' : ' '} ${r.name}`,
    `build ${escapeForTerminal(r.build)}`,
    `config ${r.configVersion}`,
    escapeForTerminal(r.releasedAt.replace(/\.\d+Z$/, 'Z')),
    `${r.by}${r.sameAs !== null ? ` of v${r.sameAs}` : ''}`,
    r.commit ? escapeForTerminal(r.commit.slice(0, 7)) : '',
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
  const footer = out.current !== null ? `* current release. Roll back with: slipway rollback ${out.app} --to v<n>` : 'The services run no numbered release (deployed before releases were numbered, or its number is not recorded yet).';
  return [...lines, footer].join('\n');
}
