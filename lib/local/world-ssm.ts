/** Moved to lib/local/services/ssm.ts (the simulated services live in files named after them). */
export * from './services/ssm';
