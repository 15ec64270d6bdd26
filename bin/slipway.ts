#!/usr/bin/env node
import { processIo } from '../lib/cli/io';
import { main } from '../lib/cli/main';
import { onInterrupt } from '../lib/cli/runtime';
import { dropNodeVersionSupportWarning } from '../lib/cli/warnings';

// Before any command builds an AWS client (lib/cli/warnings.ts says why).
dropNodeVersionSupportWarning();

// bin/slipway.js runs the bundle of this file: it needs these too.
export { main, onInterrupt, processIo };

if (require.main === module) {
  const argv = process.argv.slice(2);
  process.once('SIGINT', () => onInterrupt(processIo, argv.includes('--json')));
  main(argv).then((code) => {
    process.exitCode = code;
  });
}
