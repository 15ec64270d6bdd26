/** A local run that cannot start: bad world, unknown app, unreadable config. Exit code 2 in the CLI. */
export class LocalRunError extends Error {
  public override readonly name: string = 'LocalRunError';
}
