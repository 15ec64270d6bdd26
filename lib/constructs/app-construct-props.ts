import type { AppConfig } from '../deployment-config';

/** What each construct of an app's stack is told first: which app, under which prefix, served by which control plane. */
export interface AppConstructProps {
  /** Prefix of every name (config `prefix`). */
  readonly prefix: string;
  /** The app's validated config. */
  readonly app: AppConfig;
  /** The control plane that serves the app: its cluster's name. */
  readonly controlPlane: string;
}
