import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The state machine definitions asl-validator accepted, remembered so that each is validated once: in
 * this process by its text, and between processes by a marker file under node_modules/.cache/slipway/
 * (find-cache-dir's convention) named by a hash of the engine's version and the definition's text.
 *
 * Why: aws-local-stepfunctions validates every definition it is given with asl-validator, which compiles
 * its JSON schemas anew on every call, about 0.4 s of CPU each; a local run of build -> release -> deploy
 * spent half its time there, and a process that runs many local runs (the bench) paid it per execution.
 * The verdict is a function of the definition and the validator, so an accepted one stays accepted. A
 * definition the validator refused is never remembered: it is refused again every time.
 */
export class AcceptedDefinitions {
  private readonly texts = new Set<string>();

  constructor(
    /** The marker folder; undefined keeps the memory to this process. */
    private readonly dir: string | undefined,
  ) {}

  has(text: string): boolean {
    if (this.texts.has(text)) return true;
    if (!this.dir || !existsSync(join(this.dir, this.key(text)))) return false;
    this.texts.add(text);
    return true;
  }

  add(text: string): void {
    this.texts.add(text);
    if (!this.dir) return;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, this.key(text)), '');
    } catch {
      // A read-only install: the memory stays in this process.
    }
  }

  private key(text: string): string {
    return createHash('sha256').update(text).digest('hex');
  }
}

/**
 * node_modules/.cache/slipway/asl-accepted-<engine version>/ beside the installed aws-local-stepfunctions
 * (whose asl-validator the lockfile pins with it), or undefined when it cannot be found.
 */
export function acceptedDefinitionsDir(): string | undefined {
  try {
    const main = require.resolve('aws-local-stepfunctions');
    const pkgDir = join(dirname(main), '..');
    const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    if (typeof version !== 'string') return undefined;
    return join(pkgDir, '..', '.cache', 'slipway', `asl-accepted-${version}`);
  } catch {
    return undefined;
  }
}
