/**
 * The app the running command names (its first argument): `slipway login`'s cached session of that app is
 * the one its AWS clients use (lib/ops/login.ts). No imports: set at every command's start.
 */
let current: string | undefined;

/** Records the app the running command names. */
export function setCommandApp(app: string | undefined): void {
  current = app;
}

/** The app the running command names, if any. */
export function commandApp(): string | undefined {
  return current;
}
