/**
 * The dashboard's entry, the only script index.html loads (a few KB, no AWS SDK, no UI library): it reads
 * config.json and starts the person's session (./auth.ts) at once, then loads the pages (./main.ts).
 *
 * * A first visit (no ID token in this tab, no answer of the issuer on the URL) with sign-in configured
 *   goes to the issuer from here: the pages, which that page load would never show, are neither
 *   downloaded nor parsed nor run before the redirect.
 * * Coming back from the issuer, or signed in: the pages' chunks and the sign-in's STS chunk are asked for
 *   all at once (index.html lists them), while the code is exchanged for the ID token and STS is asked
 *   for each app's session; the pages start with that session when they have loaded.
 */
import { startSession } from './auth';
import { loadConfig } from './config';
import { Redirecting } from './session';
import { mustSignIn } from './signin';

/**
 * Adds a `<link rel="<rel>">` for each chunk index.html lists under `<meta name="<name>">`: `modulepreload`
 * asks for them all now, in parallel (instead of each import revealing the next); `prefetch` fetches them
 * into the browser's cache without parsing or running them, for the next page load.
 */
function hint(rel: 'modulepreload' | 'prefetch', ...names: string[]): void {
  for (const name of names) {
    const list = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content.split(/\s+/).filter(Boolean) ?? [];
    for (const href of list) {
      const link = document.createElement('link');
      link.rel = rel;
      link.href = href;
      document.head.append(link);
    }
  }
}

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
  const signingIn = mustSignIn();
  // Signed in, or back from the issuer: the pages and the STS chunk run on this page load. Else the page
  // that comes back from the issuer runs them: fetched into the cache meanwhile.
  hint(signingIn ? 'prefetch' : 'modulepreload', 'slipway-pages', 'slipway-sign-in');
  const config = loadConfig();
  const session = config.then(startSession);
  // The pages await both and show a failure; marked handled here so that it is not reported twice.
  session.catch(() => undefined);
  // Sent to the issuer (Redirecting): the pages are not loaded on this page load.
  if (signingIn) {
    if (await session.then(() => false, (e: unknown) => e instanceof Redirecting)) return;
    hint('modulepreload', 'slipway-pages');
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
