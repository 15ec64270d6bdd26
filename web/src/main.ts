/**
 * The dashboard's pages, started by ./boot.ts (which reads config.json and starts the person's session,
 * ./auth.ts, before this bundle loads): routes
 * `#/`, `#/apps/<app>`, `#/apps/<app>/logs/<process>` and `#/apps/<app>/config`. An app the session
 * has no credentials for is never routed to: the page says so instead of calling AWS.
 */
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Redirecting, type Session } from './auth';
import { appClients, type AppClients } from './aws';
import type { DashboardConfig } from './config';
import { discoverApps, readSettingsEarly } from './data';
import { html } from './html';
import { AppPage, AppsPage, href, type PageContext } from './pages';

/** The pages after the first (logs; config, scale and schedules): their own chunk, loaded when first opened. */
type MorePages = typeof import('./pages-more');
let morePages: Promise<MorePages> | undefined;

function Later({ page, ...props }: { page: 'LogsPage' | 'ConfigPage'; ctx: PageContext; app: string; process?: string }) {
  const [mod, setMod] = useState<MorePages | undefined>();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    (morePages ??= import('./pages-more')).then(setMod, (e: Error) => {
      morePages = undefined;
      setError(e);
    });
  }, []);
  if (error) return html`<p class="error" role="alert">This page could not be loaded (${error.message}): reload.</p>`;
  if (!mod) return html`<p class="muted">Loading…</p>`;
  const Page = mod[page] as (p: typeof props) => unknown;
  return html`<${Page} ...${props} />`;
}

type Route = { page: 'apps' } | { page: 'app'; app: string } | { page: 'logs'; app: string; process: string } | { page: 'config'; app: string };

/** The page a location hash names. */
export function routeOf(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] === 'apps' && parts[1]) {
    if (parts[2] === 'logs' && parts[3]) return { page: 'logs', app: parts[1], process: parts[3] };
    if (parts[2] === 'config') return { page: 'config', app: parts[1] };
    return { page: 'app', app: parts[1] };
  }
  return { page: 'apps' };
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** Each app's clients, built once, with that app's credentials only. */
function clientsOf(config: DashboardConfig, session: Session): (app: string) => AppClients {
  const clients = new Map<string, AppClients>();
  return (app) => {
    let c = clients.get(app);
    if (!c) clients.set(app, (c = appClients(config, session.credentialsFor(app))));
    return c;
  };
}

function Dashboard({ config, session, apps, clientsFor }: { config: DashboardConfig; session: Session; apps: readonly string[]; clientsFor: (app: string) => AppClients }) {
  const route = routeOf(useHash());
  const ctx = useMemo<PageContext>(() => ({ config, credentialsFor: (app) => session.credentialsFor(app), clientsFor }), [config, session, clientsFor]);
  const navigated = useRef(false);
  useEffect(() => {
    // Focus follows navigation (not the first load): the new page's heading, so a keyboard or
    // screen-reader user lands on it.
    const h = document.querySelector<HTMLElement>('main h1');
    const first = !navigated.current;
    navigated.current = true;
    if (h && !first) {
      h.tabIndex = -1;
      h.focus({ preventScroll: true });
    }
    document.title = route.page === 'apps' ? 'Slipway' : `${route.app} · Slipway`;
  }, [route.page, 'app' in route ? route.app : '', 'process' in route ? route.process : '']);
  let page;
  if (route.page !== 'apps' && !apps.includes(route.app)) {
    page = html`<section><h1>Not your app</h1><p role="alert" data-testid="not-allowed">You have no access to app “${route.app}”, or it does not exist.</p><p><a href=${href.apps()}>Your apps</a></p></section>`;
  } else if (route.page === 'app') page = html`<${AppPage} key=${route.app} ctx=${ctx} app=${route.app} />`;
  else if (route.page === 'logs') page = html`<${Later} key=${`${route.app}/${route.process}`} page="LogsPage" ctx=${ctx} app=${route.app} process=${route.process} />`;
  else if (route.page === 'config') page = html`<${Later} key=${`${route.app}/config`} page="ConfigPage" ctx=${ctx} app=${route.app} />`;
  else page = html`<${AppsPage} ctx=${ctx} apps=${apps} />`;
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href=${href.apps()}>Slipway</a>
      <nav aria-label="Apps"><ul>${apps.map((a) => html`<li><a href=${href.app(a)} aria-current=${'app' in route && route.app === a ? 'page' : undefined}>${a}</a></li>`)}</ul></nav>
      <span class="who">${session.person ? html`${session.person} <button type="button" onClick=${() => session.signOut()}>Sign out</button>` : html`<span class="muted">local endpoint, no sign-in</span>`}</span>
    </header>
    <main id="main">${page}</main>`;
}

/** What ./boot.ts started before this bundle loaded: config.json's read, and the person's session (./auth.ts `startSession`). */
export interface Begun {
  readonly config: Promise<DashboardConfig>;
  readonly session: Promise<Session>;
}

/** Shows the dashboard in `root` once the session has begun (or what stopped it). */
export async function start(root: HTMLElement, begun: Begun): Promise<void> {
  try {
    const config = await begun.config;
    const session = await begun.session;
    const apps = session.apps ?? (await discoverApps(appClients(config, session.credentialsFor('')), config.prefix));
    const clientsFor = clientsOf(config, session);
    // The settings of the apps the first page shows are asked for now: its reads start in effects that
    // run after its first paint, and every other read of an app waits for its settings.
    const route = routeOf(location.hash);
    for (const app of route.page === 'apps' ? apps : apps.filter((a) => a === route.app)) readSettingsEarly(clientsFor(app), config.prefix, app);
    render(html`<${Dashboard} config=${config} session=${session} apps=${apps} clientsFor=${clientsFor} />`, root);
  } catch (e) {
    if (e instanceof Redirecting) return;
    render(html`<main id="main"><h1>Slipway</h1><p class="error" role="alert" data-testid="fatal">${(e as Error).name}: ${(e as Error).message}</p></main>`, root);
  }
}
