import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { appNamePrefix, appOfScopedName } from './names';
import { readProcessList, type ItemKey } from './table';

/**
 * Numbered releases and stored scales, in the app's table (the items domain/table.ts lists).
 *
 * A release is what the app's services run after a successful deploy: a build plus a config (the
 * task-definition revisions of that deploy, which carry the build's image and the config keys of the
 * moment they were registered). Every successful deploy records a new release with the next number,
 * whatever started it: a push (the build's own deploy), `slipway deploy` (a redeploy), `slipway
 * rollback`, or a config change's redeploy. The deploy machine's "Number the release" state
 * (functions/update-service/record-release.ts) writes them.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | the release counter: the newest number, its execution and config version, the highest config version | `COUNTER` | `RELEASE` |
 * | a numbered release | `RELEASES` | {@link releaseSortKey} (the number, zero-padded) |
 * | a process type's stored scale (`slipway scale`) | `SCALE` | the process type |
 */

/** The release counter. */
export const RELEASE_COUNTER = { pk: 'COUNTER', sk: 'RELEASE' } as const satisfies ItemKey;

/** The partition of the numbered releases. */
export const RELEASES_PK = 'RELEASES';

/** Digits of a release's sort key (10: up to 9,999,999,999 releases sort as numbers). */
export const RELEASE_SORT_KEY_DIGITS = 10;

/** The partition of the stored scales (`slipway scale`), one item per process type. */
export const SCALE_PK = 'SCALE';

/** A release number's sort key. */
export function releaseSortKey(n: number): string {
  return String(n).padStart(RELEASE_SORT_KEY_DIGITS, '0');
}

/** Key of a numbered release. */
export function releaseKey(n: number): ItemKey {
  return { pk: RELEASES_PK, sk: releaseSortKey(n) };
}

/** Key of a process type's stored scale. */
export function scaleKey(process: string): ItemKey {
  return { pk: SCALE_PK, sk: process };
}

/** What started the deploy of a release. */
export type ReleaseTrigger = 'push' | 'redeploy' | 'rollback' | 'config change' | 'other';

/**
 * What started a deploy, from its execution name (the deploy refuses names not under its app):
 * `<app>--<build>-deploy` a push (the release machine after a build), `<app>--<build>-redeploy-<time>`
 * `slipway deploy`, `<app>--<build>-rollback-<time>` `slipway rollback`, `<app>--config-<event id>` a
 * config change; anything else (a StartExecution by hand) `other`.
 */
export function releaseTriggerOf(app: string, executionName: string): ReleaseTrigger {
  if (appOfScopedName(executionName) !== app) return 'other';
  const rest = executionName.slice(appNamePrefix(app).length);
  if (/^[0-9a-f-]{1,36}-deploy$/.test(rest)) return 'push';
  if (/^[0-9a-f-]{1,36}-redeploy-\d{8}T\d{6}Z$/.test(rest)) return 'redeploy';
  if (/^[0-9a-f-]{1,36}-rollback-\d{8}T\d{6}Z$/.test(rest)) return 'rollback';
  if (/^config-[A-Za-z0-9-]{1,64}$/.test(rest)) return 'config change';
  return 'other';
}

/** A numbered release as its item holds it. */
export interface ReleaseRecord {
  readonly number: number;
  readonly buildKey: string;
  readonly buildSortKey: string;
  readonly image?: string;
  readonly commit?: string;
  /** The task-definition revision each process type runs. */
  readonly processes: { process: string; taskDefinitionArn: string }[];
  /** 1 at the first release, one more with each config change; a rollback returns to its release's. */
  readonly configVersion: number;
  readonly trigger: ReleaseTrigger;
  /** The deploy execution's ARN. */
  readonly execution: string;
  readonly releasedAt: string;
  /** The release whose build and revisions this one deploys again (a rollback or redeploy), if any. */
  readonly sameAs?: number;
}

/** A release as UpdateItem's `SET` values (without its key). */
export function releaseAttributes(r: ReleaseRecord): Record<string, AttributeValue> {
  return {
    number: { N: String(r.number) },
    buildKey: { S: r.buildKey },
    buildSortKey: { S: r.buildSortKey },
    ...(r.image ? { image: { S: r.image } } : {}),
    ...(r.commit ? { commit: { S: r.commit } } : {}),
    processes: { S: JSON.stringify(r.processes) },
    configVersion: { N: String(r.configVersion) },
    trigger: { S: r.trigger },
    execution: { S: r.execution },
    releasedAt: { S: r.releasedAt },
    ...(r.sameAs !== undefined ? { sameAs: { N: String(r.sameAs) } } : {}),
  };
}

const TRIGGERS: readonly ReleaseTrigger[] = ['push', 'redeploy', 'rollback', 'config change', 'other'];

/** Reads a numbered release item (GetItem's `Item`, Query's `Items`), or undefined when it is none. */
export function readRelease(item: Record<string, AttributeValue> | undefined): ReleaseRecord | undefined {
  const number = Number(item?.number?.N);
  const buildKey = item?.buildKey?.S;
  if (!item || !Number.isSafeInteger(number) || number < 1 || !buildKey) return undefined;
  const trigger = item.trigger?.S as ReleaseTrigger | undefined;
  const sameAs = item.sameAs?.N !== undefined ? Number(item.sameAs.N) : undefined;
  return {
    number,
    buildKey,
    buildSortKey: item.buildSortKey?.S ?? buildKey,
    ...(item.image?.S ? { image: item.image.S } : {}),
    ...(item.commit?.S ? { commit: item.commit.S } : {}),
    processes: readProcessList(item.processes?.S) ?? [],
    configVersion: Number(item.configVersion?.N ?? 1) || 1,
    trigger: trigger && TRIGGERS.includes(trigger) ? trigger : 'other',
    execution: item.execution?.S ?? '',
    releasedAt: item.releasedAt?.S ?? '',
    ...(sameAs !== undefined && Number.isSafeInteger(sameAs) ? { sameAs } : {}),
  };
}

/** The release counter's item. */
export interface ReleaseCounter {
  /** The newest release number (0: none yet). */
  readonly last: number;
  /** The deploy execution (ARN) that took {@link last}. */
  readonly lastExecution?: string;
  /** The config version of the newest release. */
  readonly configVersion: number;
  /** The highest config version any release had (the next config change takes one more). */
  readonly maxConfigVersion: number;
}

/** Reads the release counter (GetItem's `Item`); no item is a counter at 0. */
export function readReleaseCounter(item: Record<string, AttributeValue> | undefined): ReleaseCounter {
  const n = (v: AttributeValue | undefined, d: number) => (v?.N !== undefined && Number.isSafeInteger(Number(v.N)) ? Number(v.N) : d);
  return {
    last: n(item?.last, 0),
    ...(item?.lastExecution?.S ? { lastExecution: item.lastExecution.S } : {}),
    configVersion: n(item?.configVersion, 0),
    maxConfigVersion: n(item?.maxConfigVersion, 0),
  };
}

/** Whether two releases run the same revisions (the same build and config). */
export function sameRevisions(a: readonly { process: string; taskDefinitionArn: string }[], b: readonly { process: string; taskDefinitionArn: string }[]): boolean {
  const key = (l: readonly { process: string; taskDefinitionArn: string }[]) =>
    l
      .map((p) => `${p.process}=${p.taskDefinitionArn}`)
      .sort()
      .join('\n');
  return a.length > 0 && key(a) === key(b);
}

/** A stored scale (`slipway scale`): the task range a deploy gives the process type's service. */
export interface StoredScale {
  readonly min: number;
  readonly max: number;
  readonly setAt?: string;
}

/** Reads a stored scale item, or undefined when there is none or it is unreadable. */
export function readStoredScale(item: Record<string, AttributeValue> | undefined): StoredScale | undefined {
  const min = Number(item?.min?.N);
  const max = Number(item?.max?.N);
  if (!item || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || max < min) return undefined;
  return { min, max, ...(item.setAt?.S ? { setAt: item.setAt.S } : {}) };
}
