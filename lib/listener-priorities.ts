import { WEB_PROCESS } from '../domain/constants';

/*
 * Listener-rule priorities of a cluster's web apps. Every app with a `web` process adds one rule to its
 * cluster's HTTPS listener, and a listener refuses two rules of the same priority (ELB CreateRule and
 * SetRulePriorities: `PriorityInUse`, "The specified priority is in use", and "A listener can't have
 * multiple rules with the same priority", CreateRule `Priority`, docs.aws.amazon.com/elasticloadbalancing/
 * latest/APIReference/API_CreateRule.html). A priority is derived from the app's name alone, so adding or
 * removing an app never renumbers another; two names that derive the same priority on one cluster are
 * refused at synth time, naming both apps and a free priority for the config's `listenerPriority`.
 */

/** The smallest and largest listener-rule priorities ELB accepts (CreateRule `Priority`: 1-50000). */
export const LISTENER_PRIORITY_MIN = 1;
export const LISTENER_PRIORITY_MAX = 50_000;

/** A listener-rule priority derived from the app's name (FNV-1a), so adding or removing apps never renumbers others. */
export function listenerPriority(appName: string): number {
  let hash = 0x811c9dc5;
  for (const ch of appName) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 49_999) + 1;
}

/** What the check needs of an app's config. */
export interface ListenerApp {
  readonly name: string;
  readonly cluster: string;
  readonly processes: Record<string, unknown>;
  /** The config's override. */
  readonly listenerPriority?: number;
}

/** The priority of the app's listener rule: the config's `listenerPriority`, else the one its name derives. */
export function appListenerPriority(app: Pick<ListenerApp, 'name' | 'listenerPriority'>): number {
  return app.listenerPriority ?? listenerPriority(app.name);
}

/** A collision of two apps' rules on one cluster's listener. */
export interface PriorityCollision {
  /** Index (in the config's apps) of the app that comes second and gets the message. */
  readonly index: number;
  readonly message: string;
}

/**
 * The collisions of listener-rule priorities among each cluster's web apps, in config order: each
 * app that takes a priority an earlier app of its cluster holds.
 */
export function listenerPriorityCollisions(apps: readonly ListenerApp[]): PriorityCollision[] {
  const taken = new Map<string, Map<number, string>>();
  const out: PriorityCollision[] = [];
  const used = (cluster: string) => taken.get(cluster) ?? taken.set(cluster, new Map()).get(cluster)!;
  apps.forEach((app, index) => {
    if (!(WEB_PROCESS in app.processes)) return;
    const byPriority = used(app.cluster);
    const priority = appListenerPriority(app);
    const holder = byPriority.get(priority);
    // An app listed twice is refused as a duplicate name already; one refusal is enough.
    if (holder === app.name) return;
    if (holder === undefined) {
      byPriority.set(priority, app.name);
      return;
    }
    const everyone = new Set([...byPriority.keys(), ...apps.filter((a) => a.cluster === app.cluster && WEB_PROCESS in a.processes).map(appListenerPriority)]);
    let free = priority;
    while (everyone.has(free)) free = (free % LISTENER_PRIORITY_MAX) + LISTENER_PRIORITY_MIN;
    out.push({
      index,
      message: `listener-rule priority ${priority} of app "${app.name}" is already app "${holder}"'s on cluster "${app.cluster}" (a listener refuses two rules of one priority: PriorityInUse); set "listenerPriority" on one of them to a free priority, e.g. ${free}`,
    });
  });
  return out;
}
