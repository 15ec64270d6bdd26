/**
 * The dashboard's entry, the only module index.html loads (a few KB, no AWS SDK, no UI library): it reads
 * config.json and starts the person's session (./auth.ts) at once, then loads the pages (./main.ts).
 *
 * * A first visit (no ID token in this tab, no answer of the issuer on the URL) with sign-in configured
 *   goes to the issuer from here: the pages, which that page load would never show, are neither
 *   downloaded nor parsed nor run before the redirect (they are prefetched into the cache as it leaves,
 *   for the page that comes back).
 * * Coming back from the issuer, or signed in: the pages' chunks and the sign-in's STS chunk load (the
 *   inline script preloaded them) while the code is exchanged for the ID token and STS is asked for each
 *   app's session; the pages start with that session when they have loaded.
 */
import { startSession } from './auth';
import { loadConfig } from './config';
import { Redirecting } from './session';
import { preloadChunks } from './preload';
import { mustSignIn } from './signin';

/** A failure before the pages loaded, shown as the pages show theirs. */
function fatal(root: HTMLElement, e: Error): void {
  const main = document.createElement('main');
  main.id = 'main';
  const h1 = document.createElement('h1');
  h1.textContent = 'Slipway';
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.dataset.testid = 'fatal';
  p.textContent = `The dashboard could not be loaded (${e.message}): reload.`;
  main.append(h1, p);
  root.replaceChildren(main);
}

async function boot(root: HTMLElement): Promise<void> {
  // Signed in, or back from the issuer: index.html's inline script (./hints.ts) has preloaded the pages
  // and the STS chunk, which run on this page load.
  const signingIn = mustSignIn();
  const config = loadConfig();
  const session = config.then(startSession);
  // The pages await both and show a failure; marked handled here so that it is not reported twice.
  session.catch(() => undefined);
  // Sent to the issuer (Redirecting): the pages are not loaded on this page load.
  if (signingIn) {
    if (await session.then(() => false, (e: unknown) => e instanceof Redirecting)) {
      // The browser is on its way to the issuer: the pages and the STS chunk are fetched into the cache
      // meanwhile (while the person signs in there), for the page that comes back. Not earlier: on this
      // page they would only slow the redirect.
      preloadChunks('prefetch', 'slipway-pages', 'slipway-sign-in');
      return;
    }
    // No sign-in configured (a local endpoint): the pages run now.
    preloadChunks('modulepreload', 'slipway-pages');
  }
  let pages: typeof import('./main');
  try {
    pages = await import('./main');
  } catch (e) {
    return fatal(root, e as Error);
  }
  await pages.start(root, { config, session });
}

const root = document.getElementById('app');
if (root) void boot(root);
