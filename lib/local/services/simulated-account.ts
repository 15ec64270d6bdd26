import type { AppSettings } from '../../../domain/settings';
import type { WorldSpec } from '../world-schema';
import type { SimulatedClock } from './clock';

/**
 * What a simulated service may ask of the account it runs in (lib/local/world.ts `World` is one): the
 * world's settings and spec, the simulated clock, the apps it hosts, and the call counter that throttles
 * and injects errors. The services import this, never `World`, so the world depends on its services and
 * not the other way round.
 */
export interface SimulatedAccount {
  /** The world as it is now (a redrive's patch replaces it). */
  readonly spec: WorldSpec;
  /** The settings of the world's `app`. */
  readonly settings: AppSettings;
  readonly clock: SimulatedClock;
  /** The settings of a hosted app. @throws LocalRunError when the account does not host it */
  appSettings(app: string): AppSettings;
  /** The app and process type of a service name `<app>--<process>` of a hosted app. */
  serviceOwner(name: string): { app: string; process: string } | undefined;
  /** Counts a call, refusing it past AWS's rate or while the world throttles or injects an error into it. */
  count(call: string, resource?: string): void;
}
