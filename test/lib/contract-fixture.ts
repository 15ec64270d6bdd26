import * as path from 'node:path';

/**
 * ASL files reduced to the shared-control-plane contract's placeholders (lib/pipeline-contract.ts
 * SUBSTITUTIONS, no ${AppName}/${AppTableName}). The construct and stack tests synthesize with them until
 * statemachines/ follows the contract (issue 16, runtime branch); then they switch back to the real folder
 * (STATE_MACHINES_DIR, the default) by dropping this prop.
 */
export const CONTRACT_STATE_MACHINES_DIR = path.join(__dirname, '..', 'fixtures', 'statemachines-contract');
