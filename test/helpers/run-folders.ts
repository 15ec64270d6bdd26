/**
 * Names the folder (made by jest-global-setup.ts, removed by jest-global-teardown.ts) where
 * test/helpers/asl-validator.ts keeps the state machine definitions asl-validator accepted in this run.
 */
export const ACCEPTED_ENV = 'SLIPWAY_ASL_ACCEPTED';
