/**
 * Inlined into index.html by scripts/build-web.mjs as a classic script, run while the page is parsed,
 * before any module loads: when the pages and the sign-in's STS chunk run on this page load (signed in,
 * or back from the issuer with a code: ./signin.ts's {@link mustSignIn} is false), it preloads them
 * (`modulepreload`: fetched and compiled now, run when ./boot.ts imports them), as early as the page can.
 * A page that goes to sign in first leaves them to ./boot.ts, which prefetches them once it has sent the
 * browser to the issuer.
 */
import { preloadChunks } from './preload';
import { mustSignIn } from './signin';

if (!mustSignIn()) preloadChunks('modulepreload', 'slipway-pages', 'slipway-sign-in');
