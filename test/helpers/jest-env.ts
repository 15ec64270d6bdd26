/**
 * Environment for every test file (a jest `setupFiles` entry).
 *
 * aws-cdk-lib 2.276 runs its built-in CloudFormation validation (a WebAssembly rule engine, rebuilt for
 * each test file and again for each new set of resource types) on every synth. Outside strict mode it
 * can only report warnings, and no test reads them, yet it was about a third of the suite's CPU time.
 * The tests synthesize without it; `cdk synth` (and so `npm run synth` and the bench) still runs it.
 * Set CDK_VALIDATION=true to have it in the tests too.
 */
process.env.CDK_VALIDATION ??= 'false';
export {};
