/**
 * Environment for every test file (a jest `setupFiles` entry): CDK work the tests never look at, left out.
 *
 * * aws-cdk-lib 2.276 runs its built-in CloudFormation validation (a WebAssembly rule engine, rebuilt for
 *   each test file and again for each new set of resource types) on every synth. Outside strict mode it
 *   can only report warnings, and no test reads them, yet it was about a third of the suite's CPU time.
 *   `cdk synth` (so `npm run synth` and the bench) still runs it. CDK_VALIDATION=true brings it back here.
 * * CDK records a stack trace for every construct it creates (and every annotation), which jest then maps
 *   through the source maps of the transformed files. The traces go only into the cloud assembly's
 *   metadata, which no test reads; the context keys below are CDK's own switches for them (read by every
 *   `new App()` from CDK_CONTEXT_JSON, under the context the test passes).
 */
process.env.CDK_VALIDATION ??= 'false';

const context = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}') as Record<string, unknown>;
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true, ...context });
export {};
