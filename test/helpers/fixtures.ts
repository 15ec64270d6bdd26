/**
 * Where the tests' recorded AWS material lives: copies, inside the repository, of real EventBridge events
 * and of Step Functions execution histories recorded on AWS (each folder's SOURCES.md / README.md gives
 * the provenance of every file). The tests read nothing outside the repository.
 */
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** Real EventBridge events, as AWS or open-source projects published them (aws-events/SOURCES.md). */
export const AWS_EVENTS = join(FIXTURES, 'aws-events');

/** Step Functions execution histories recorded on AWS (aws-histories/README.md). */
export const AWS_HISTORIES = join(FIXTURES, 'aws-histories');
