/** What the page asks the actions function for, and the CLI command that does the same. */

export type ActionName = 'redrive' | 'rollback' | 'deploy';

export interface ActionRequest {
  readonly action: ActionName;
  readonly app: string;
  readonly build?: string;
  readonly release?: string;
  readonly execution?: string;
  readonly dryRun?: true;
}

/** The CLI command that does the same (shown when no actions URL is configured, and beside every plan). */
export function cliCommand(request: ActionRequest): string {
  switch (request.action) {
    case 'redrive':
      return `slipway redrive ${request.app} ${request.build ?? ''}`.trim();
    case 'rollback':
      return `slipway rollback ${request.app}${request.release ? ` --to ${request.release}` : ''}`;
    case 'deploy':
      return `slipway deploy ${request.app} --build ${request.build ?? '<n>'}`;
  }
}
