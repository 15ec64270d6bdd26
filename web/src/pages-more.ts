/** The pages loaded on demand: a process type's logs, and an app's config, scale and schedules. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppClients } from './aws';
import { loadConfigKeys, loadSettings, revealConfigKey, type ConfigKey } from './data';
import { loadScaling, readLogs, type LogLine } from './data-more';
import { html } from './html';
import { ErrorNote, href, IDLE_MS, type PageContext } from './pages';
import { usePoll } from './poll';

const LOG_FOLLOW_MS = 2000;

/** A process type's log lines, following new ones. */
export function LogsPage({ ctx, app, process }: { ctx: PageContext; app: string; process: string }) {
  const [following, setFollowing] = useState(true);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<Error | undefined>();
  const seen = useRef(new Set<string>());
  const since = useRef(Date.now() - 60 * 60 * 1000);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    seen.current = new Set();
    setLines([]);
    since.current = Date.now() - 60 * 60 * 1000;
  }, [app, process]);
  const [settings] = usePoll(() => loadSettings(ctx.clientsFor(app), ctx.config.prefix, app), () => undefined, [app]);
  const group = settings.status === 'ok' ? settings.value.processes[process]?.logGroup : undefined;
  useEffect(() => {
    if (!group || !following) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const fresh = await readLogs(ctx.clientsFor(app), group, since.current, seen.current);
        if (stopped) return;
        setError(undefined);
        if (fresh.length) {
          for (const l of fresh) seen.current.add(l.id);
          since.current = Math.max(since.current, ...fresh.map((l) => l.at));
          setLines((old) => [...old, ...fresh].slice(-2000));
        }
      } catch (e) {
        if (!stopped) setError(e as Error);
      }
      if (!stopped) timer = setTimeout(() => void tick(), LOG_FOLLOW_MS);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [group, following, app]);
  useEffect(() => {
    if (box.current && following) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length]);
  const unknown = settings.status === 'ok' && !group;
  return html`<section aria-labelledby="logs-title">
    <h1 id="logs-title">Logs of ${app} ${process}</h1>
    <nav class="subnav" aria-label=${`${app} pages`}><a href=${href.app(app)}>Pipelines</a> <a href=${href.config(app)}>Config, scale and schedules</a></nav>
    ${unknown ? html`<p class="error" role="alert">${app} has no process type ${process}.</p>` : ''}
    ${settings.status === 'error' ? html`<${ErrorNote} error=${settings.error} />` : ''}
    ${group ? html`<p class="muted">Log group <code>${group}</code>, the last hour. <button type="button" onClick=${() => setFollowing(!following)} aria-pressed=${following} data-testid="follow">${following ? 'Following (pause)' : 'Paused (follow)'}</button></p>` : ''}
    ${error ? html`<${ErrorNote} error=${error} />` : ''}
    <pre class="logs" ref=${box} role="log" aria-live="polite" aria-label=${`log lines of ${process}`} tabindex="0" data-testid="log-lines">${lines.length === 0 ? html`<span class="muted">No log lines yet.</span>` : lines.map((l) => html`<span class="line"><span class="muted">${new Date(l.at).toISOString().slice(11, 19)} ${l.stream.split('/').pop()}</span> ${l.message}\n</span>`)}</pre>
  </section>`;
}

/** Config keys (secret values hidden until asked), scale and schedules. */
export function ConfigPage({ ctx, app }: { ctx: PageContext; app: string }) {
  const clients = ctx.clientsFor(app);
  const [data] = usePoll(async () => {
    const settings = await loadSettings(clients, ctx.config.prefix, app);
    const [keys, scale] = await Promise.all([loadConfigKeys(clients, ctx.config.prefix, app), loadScaling(clients, app, settings)]);
    return { settings, keys, scale };
  }, () => IDLE_MS, [app]);
  const d = data.status === 'loading' ? undefined : data.value;
  return html`<section aria-labelledby="config-title">
    <h1 id="config-title">${app}: config, scale and schedules</h1>
    <nav class="subnav" aria-label=${`${app} pages`}><a href=${href.app(app)}>Pipelines</a> <a href=${href.config(app)} aria-current="page">Config, scale and schedules</a></nav>
    ${data.status === 'error' ? html`<${ErrorNote} error=${data.error} />` : ''}
    ${data.status === 'loading' ? html`<p class="muted">Loading…</p>` : ''}
    ${d
      ? html`<h2>Config keys</h2>
          ${d.keys.length === 0 ? html`<p class="muted">No config keys (<code>slipway config:set ${app} KEY=value</code>).</p>` : html`<table data-testid="config-keys"><caption class="sr-only">Config keys of ${app}</caption><thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead><tbody>${d.keys.map((k) => html`<${KeyRow} key=${k.name} item=${k} clients=${clients} />`)}</tbody></table>`}
          <h2>Scale</h2>
          <table data-testid="scale"><caption class="sr-only">Scale of ${app}</caption><thead><tr><th scope="col">Process</th><th scope="col">Desired</th><th scope="col">Autoscaling</th></tr></thead>
          <tbody>${d.scale.map((s) => html`<tr><th scope="row">${s.process}</th><td>${s.desired}</td><td>${s.min !== undefined ? `${s.min} to ${s.max}${s.cpuTarget ? `, CPU ${s.cpuTarget}%` : ''}${s.registered ? '' : ' (not registered yet)'}` : 'off'}</td></tr>`)}</tbody></table>
          <h2>Schedules</h2>
          ${d.settings.schedules.length === 0 ? html`<p class="muted">No schedules.</p>` : html`<table data-testid="schedules"><caption class="sr-only">Schedules of ${app}</caption><thead><tr><th scope="col">Name</th><th scope="col">When</th><th scope="col">Process</th><th scope="col">Command</th></tr></thead><tbody>${d.settings.schedules.map((raw) => {
            const s = (raw ?? {}) as { name?: string; schedule?: string; process?: string; command?: string | string[] };
            return html`<tr><th scope="row">${s.name ?? '—'}</th><td><code>${s.schedule ?? ''}</code></td><td>${s.process ?? 'web'}</td><td><code>${Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '')}</code></td></tr>`;
          })}</tbody></table>`}`
      : ''}
  </section>`;
}

function KeyRow({ item, clients }: { item: ConfigKey; clients: AppClients }) {
  const [shown, setShown] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const show = async () => {
    try {
      setShown(await revealConfigKey(clients, item.name));
    } catch (e) {
      setError(`${(e as Error).name}: ${(e as Error).message}`);
    }
  };
  let cell: ComponentChildren;
  if (!item.secret) cell = html`<code>${item.value}</code>`;
  else if (shown !== undefined) cell = html`<code data-testid="secret-value">${shown}</code> <button type="button" onClick=${() => setShown(undefined)}>Hide<span class="sr-only"> ${item.key}</span></button>`;
  else cell = html`<span class="muted" aria-label="hidden secret">••••••</span> <button type="button" onClick=${show} data-testid=${`show-${item.key}`}>Show<span class="sr-only"> ${item.key}</span></button>`;
  return html`<tr data-testid=${`key-${item.key}`}><th scope="row"><code>${item.key}</code></th><td>${cell}${error ? html` <span class="error" role="alert">${error}</span>` : ''}</td></tr>`;
}
