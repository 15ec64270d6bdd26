/**
 * The pages: apps (what runs, what failed), one app (runs with their timeline, releases, rollback and
 * redrive), a process type's logs (following), and config (keys, scale, schedules). Each page gets the
 * app's clients from its context; no page reads an app the session has no credentials for.
 */
import { useRef, useState } from 'preact/hooks';
import { readProcessList } from '../../domain/table';
import type { ActionResult } from './actions';
import { cliCommand, type ActionRequest } from './commands';
import type { AppClients } from './aws';
import type { DashboardConfig } from './config';
import { loadOverview, revisionLabel, type AppOverview, type Run } from './data';
import { html } from './html';
import { usePoll, type Loaded } from './poll';
import type { Credentials } from './aws';

/** What every page may use. */
export interface PageContext {
  readonly config: DashboardConfig;
  readonly clientsFor: (app: string) => AppClients;
  readonly credentialsFor: (app: string) => () => Promise<Credentials>;
}

/** Poll intervals: faster while something is in progress. */
const LIVE_MS = 1500;
export const IDLE_MS = 10_000;

export const href = {
  apps: () => '#/',
  app: (app: string) => `#/apps/${encodeURIComponent(app)}`,
  logs: (app: string, process: string) => `#/apps/${encodeURIComponent(app)}/logs/${encodeURIComponent(process)}`,
  config: (app: string) => `#/apps/${encodeURIComponent(app)}/config`,
};

function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

const STATE_LABEL: Record<Run['state'], string> = {
  'building-failed': 'build failed',
  running: 'deploying',
  failed: 'failed',
  deployed: 'deployed',
  superseded: 'superseded',
  waiting: 'in progress',
  'not-deployed': 'not deployed',
};

function StateBadge({ state }: { state: Run['state'] }) {
  return html`<span class=${`badge badge-${state}`} data-testid="run-state">${STATE_LABEL[state]}</span>`;
}

export function ErrorNote({ error }: { error: Error }) {
  const denied = /AccessDenied|UnrecognizedClient|ExpiredToken/.test(error.name);
  return html`<p class="error" role="alert">${denied ? 'Your role may not read this: ' : ''}${error.name}: ${error.message}</p>`;
}

function inProgress(o: AppOverview | undefined): boolean {
  return !!o && (o.runs.some((r) => r.state === 'running' || r.state === 'waiting') || o.processes.some((p) => p.deployments > 1 || p.rollout === 'IN_PROGRESS'));
}

function useOverview(ctx: PageContext, app: string): [Loaded<AppOverview>, () => void] {
  return usePoll((partial) => loadOverview(ctx.clientsFor(app), ctx.config.prefix, app, undefined, partial), (o) => (inProgress(o) ? LIVE_MS : IDLE_MS), [app]);
}

function ProcessTable({ app, overview }: { app: string; overview: AppOverview }) {
  return html`<table class="processes" data-testid="processes">
    <caption class="sr-only">Process types of ${app}</caption>
    <thead><tr><th scope="col">Process</th><th scope="col">Build</th><th scope="col">Tasks (running/desired)</th><th scope="col">Deployment</th><th scope="col"><span class="sr-only">Logs</span></th></tr></thead>
    <tbody>
      ${overview.processes.map(
        (p) => html`<tr data-testid=${`process-${p.process}`}>
          <th scope="row">${p.process}</th>
          <td title=${revisionLabel(p.taskDefinition)}>${p.exists ? (p.build ? `build ${p.build}` : revisionLabel(p.taskDefinition)) : 'not deployed'}</td>
          <td class=${p.running < p.desired ? 'warn' : ''} data-testid="tasks">${p.running}/${p.desired}${p.pending ? ` (${p.pending} pending)` : ''}</td>
          <td>${p.deployments > 1 || p.rollout === 'IN_PROGRESS' ? 'in progress' : p.rollout === 'FAILED' ? 'failed' : p.exists ? 'steady' : '—'}</td>
          <td><a href=${href.logs(app, p.process)}>logs<span class="sr-only"> of ${p.process}</span></a></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/**
 * A run's failure with its Redrive button, while the run has one. Kept on the page while the redrive's
 * dialog is open even when the failure ends meanwhile (the page polls fast during a redrive, which may
 * succeed before the dialog is closed): a dialog never disappears under the person's hands.
 */
function FailureBox({ app, run, ctx, onDone }: { app: string; run: Run; ctx: PageContext; onDone: () => void }) {
  const kept = useRef(run.failure);
  const [dialogOpen, setDialogOpen] = useState(false);
  if (run.failure) kept.current = run.failure;
  const f = run.failure ?? (dialogOpen ? kept.current : undefined);
  if (!f) return null;
  // Keyed: the line that appears when a redrive starts must not take the place of the actions' element
  // (Preact matches unkeyed siblings by type), which would re-create the open dialog closed.
  return html`<div class="failure" data-testid="failure">
    <p><strong>${f.pipeline} failed at “${f.step}”</strong> with <code data-testid="failure-error">${f.error}</code>${f.at ? html` <span class="muted">at ${when(f.at)}</span>` : ''}</p>
    ${f.redrivenAt ? html`<p key="redriving" data-testid="redriving">Redriven <span class="muted">at ${when(f.redrivenAt)}</span>: running again (${run.stage ?? 'in progress'}).</p>` : ''}
    ${f.cause ? html`<pre class="cause" tabindex="0" aria-label=${`cause of the failure at ${f.step}`} data-testid="failure-cause">${f.cause}</pre>` : ''}
    <p key="actions" class="actions">
      ${f.logLink ? html`<a href=${f.logLink} target="_blank" rel="noopener noreferrer">Logs of “${f.step}”<span class="sr-only"> (opens the CloudWatch console)</span></a>` : ''}
      <${ActionButton} ctx=${ctx} request=${{ action: 'redrive', app, build: run.build, ...(f.execution ? { execution: f.execution } : {}) }} label=${`Redrive build ${run.build}`} disabled=${!!f.redrivenAt} onDone=${onDone} onOpenChange=${setDialogOpen} />
    </p>
  </div>`;
}

/** The apps page: each app's release, processes and last pipeline outcome. */
export function AppsPage({ ctx, apps }: { ctx: PageContext; apps: readonly string[] }) {
  if (apps.length === 0) return html`<p>No apps to show: your sign-in gives you no app's role.</p>`;
  return html`<section aria-labelledby="apps-title">
    <h1 id="apps-title">Apps</h1>
    <div class="cards">${apps.map((app) => html`<${AppCard} key=${app} ctx=${ctx} app=${app} />`)}</div>
  </section>`;
}

function AppCard({ ctx, app }: { ctx: PageContext; app: string }) {
  const [state, reload] = useOverview(ctx, app);
  const o = state.status === 'loading' ? undefined : state.value;
  const last = o?.runs[0];
  const attention = last?.state === 'failed' || last?.state === 'building-failed';
  return html`<article class=${`card${attention ? ' attention' : ''}`} data-testid=${`app-${app}`} aria-labelledby=${`app-${app}-title`}>
    <h2 id=${`app-${app}-title`}><a href=${href.app(app)}>${app}</a></h2>
    ${state.status === 'loading' ? html`<p class="muted">Loading…</p>` : ''}
    ${state.status === 'error' ? html`<${ErrorNote} error=${state.error} />` : ''}
    ${o
      ? html`<p data-testid="current-release">Release: ${o.current ? html`<strong>build ${o.current.buildKey}</strong> <span class="muted">${when(o.current.releasedAt)}</span>` : html`<span class="muted">none yet</span>`}</p>
          <${ProcessTable} app=${app} overview=${o} />
          <p data-testid="last-run">Last pipeline: ${last ? html`build ${last.build} <${StateBadge} state=${last.state} />${last.stage ? html` <span class="stage" data-testid="run-stage">${last.stage}</span>` : ''}` : html`<span class="muted">no builds yet</span>`}</p>
          ${last ? html`<${FailureBox} key=${last.build} app=${app} run=${last} ctx=${ctx} onDone=${reload} />` : ''}`
      : ''}
  </article>`;
}

/** One app: processes, runs with their timeline, releases with rollback. */
export function AppPage({ ctx, app }: { ctx: PageContext; app: string }) {
  const [state, reload] = useOverview(ctx, app);
  const o = state.status === 'loading' ? undefined : state.value;
  return html`<section aria-labelledby="app-title">
    <h1 id="app-title">${app}</h1>
    <nav class="subnav" aria-label=${`${app} pages`}><a href=${href.app(app)} aria-current="page">Pipelines</a> <a href=${href.config(app)}>Config, scale and schedules</a></nav>
    ${state.status === 'loading' ? html`<p class="muted">Loading…</p>` : ''}
    ${state.status === 'error' ? html`<${ErrorNote} error=${state.error} />` : ''}
    ${o
      ? html`<p data-testid="current-release">Current release: ${o.current ? html`<strong>build ${o.current.buildKey}</strong> ${o.current.commit ? html`<span class="muted">commit ${o.current.commit.slice(0, 12)}</span>` : ''} <span class="muted">${when(o.current.releasedAt)}</span>` : 'none yet'}${inProgress(o) ? html` <span class="live" aria-live="polite">live</span>` : ''}</p>
          <h2>Processes</h2>
          <${ProcessTable} app=${app} overview=${o} />
          <h2>Pipeline runs</h2>
          <ol class="runs" data-testid="runs">${o.runs.map((run) => html`<${RunItem} key=${run.build} ctx=${ctx} app=${app} run=${run} onDone=${reload} />`)}</ol>
          <h2>Releases</h2>
          <${Releases} ctx=${ctx} app=${app} overview=${o} onDone=${reload} />`
      : ''}
  </section>`;
}

function RunItem({ ctx, app, run, onDone }: { ctx: PageContext; app: string; run: Run; onDone: () => void }) {
  return html`<li class="run" data-testid=${`run-${run.build}`}>
    <h3>Build ${run.build} <${StateBadge} state=${run.state} />${run.stage ? html` <span class="stage" data-testid="run-stage">${run.stage}</span>` : ''}</h3>
    <ol class="timeline" data-testid="timeline">
      ${run.events.map((e) => html`<li class=${`ev ev-${e.kind}`}><span class="ev-what">${e.what}</span>${e.detail ? html` <code>${e.detail}</code>` : ''} <span class="muted">${when(e.at)}</span>${e.link ? html` <a href=${e.link} target="_blank" rel="noopener noreferrer">logs<span class="sr-only"> of ${e.what}</span></a>` : ''}</li>`)}
    </ol>
    <${FailureBox} app=${app} run=${run} ctx=${ctx} onDone=${onDone} />
  </li>`;
}

/** Deployed builds, newest first; each older one can be rolled back to (diff shown first). */
function Releases({ ctx, app, overview, onDone }: { ctx: PageContext; app: string; overview: AppOverview; onDone: () => void }) {
  const released = overview.runs.filter((r) => r.record.releasedAt);
  if (released.length === 0) return html`<p class="muted">No release yet.</p>`;
  const current = overview.current;
  const currentProcesses = new Map((readProcessList(current?.processes) ?? []).map((p) => [p.process, p.taskDefinitionArn]));
  return html`<table class="releases" data-testid="releases">
    <caption class="sr-only">Releases of ${app}</caption>
    <thead><tr><th scope="col">Build</th><th scope="col">Released</th><th scope="col">Commit</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
    <tbody>${released.map((r) => {
      const isCurrent = current?.buildKey === r.build;
      const diff = (r.record.releaseProcesses ?? []).map((p) => ({ process: p.process, from: revisionLabel(currentProcesses.get(p.process)), to: revisionLabel(p.taskDefinitionArn) }));
      return html`<tr data-testid=${`release-${r.build}`}>
        <th scope="row">build ${r.build}${isCurrent ? html` <span class="badge badge-deployed">current</span>` : ''}</th>
        <td>${when(r.record.releasedAt)}</td>
        <td><code>${r.record.commit?.slice(0, 12) ?? ''}</code></td>
        <td>${isCurrent ? '' : html`<${ActionButton} ctx=${ctx} request=${{ action: 'rollback', app, release: r.build }} label=${`Roll back to build ${r.build}`} diff=${{ from: current?.buildKey, to: r.build, fromImage: current?.image, toImage: r.record.image, processes: diff }} onDone=${onDone} />`}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

interface RollbackDiff {
  readonly from?: string;
  readonly to: string;
  readonly fromImage?: string;
  readonly toImage?: string;
  readonly processes: readonly { process: string; from: string; to: string }[];
}

/**
 * A button for an action: it asks the actions function for a dry run first and shows the plan (and a
 * rollback's diff) in a dialog; only the dialog's confirm sends the action. Without an actions URL it
 * shows the CLI command that does the same.
 */
function ActionButton({ ctx, request, label, diff, disabled, onDone, onOpenChange }: { ctx: PageContext; request: ActionRequest; label: string; diff?: RollbackDiff; disabled?: boolean; onDone: () => void; onOpenChange?: (open: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [plan, setPlan] = useState<{ status: 'idle' | 'planning' | 'planned' | 'sending' | 'done' | 'error'; result?: ActionResult; error?: string }>({ status: 'idle' });
  const send = async (req: ActionRequest) => {
    // Signing (SigV4) is loaded with the first action, not with the page.
    const { sendAction } = await import('./actions');
    return sendAction(ctx.config.actionsUrl ?? '', ctx.config.region, ctx.credentialsFor(req.app), req);
  };
  const describe = (e: unknown) => ((e as Error).name === 'ActionError' ? `${(e as { code: string }).code}: ${(e as Error).message}` : (e as Error).message);
  const open = async () => {
    onOpenChange?.(true);
    dialog.current?.showModal();
    if (!ctx.config.actionsUrl) return setPlan({ status: 'error', error: `This dashboard has no actions URL. Run: ${cliCommand(request)}` });
    setPlan({ status: 'planning' });
    try {
      setPlan({ status: 'planned', result: await send({ ...request, dryRun: true }) });
    } catch (e) {
      setPlan({ status: 'error', error: describe(e) });
    }
  };
  const confirm = async () => {
    if (!ctx.config.actionsUrl) return;
    setPlan((p) => ({ ...p, status: 'sending' }));
    try {
      const result = await send(request);
      setPlan({ status: 'done', result });
      onDone();
    } catch (e) {
      setPlan({ status: 'error', error: describe(e) });
    }
  };
  const close = () => {
    dialog.current?.close();
    setPlan({ status: 'idle' });
    onOpenChange?.(false);
  };
  const id = `dlg-${request.action}-${request.app}-${request.build ?? request.release ?? ''}`;
  // Disabled (a redrive is running) only while its dialog is closed: the dialog stays until it is closed.
  return html`<button type="button" class=${request.action === 'rollback' ? 'secondary' : 'primary'} onClick=${open} disabled=${!!disabled && plan.status === 'idle'} data-testid=${`${request.action}-${request.build ?? request.release ?? ''}`}>${label}</button>
    <dialog ref=${dialog} aria-labelledby=${`${id}-title`} onClose=${() => {
      setPlan({ status: 'idle' });
      onOpenChange?.(false);
    }} data-testid="action-dialog">
      <h2 id=${`${id}-title`}>${label}?</h2>
      ${diff
        ? html`<div data-testid="rollback-diff"><p>From build <strong>${diff.from ?? '?'}</strong> to build <strong>${diff.to}</strong></p>
            ${diff.fromImage !== diff.toImage ? html`<p>Image: <code>${diff.fromImage ?? '?'}</code> → <code>${diff.toImage ?? '?'}</code></p>` : ''}
            <table><caption class="sr-only">Task definitions that change</caption><thead><tr><th scope="col">Process</th><th scope="col">Now</th><th scope="col">After</th></tr></thead>
            <tbody>${diff.processes.map((p) => html`<tr><th scope="row">${p.process}</th><td>${p.from}</td><td>${p.to}</td></tr>`)}</tbody></table></div>`
        : ''}
      ${plan.status === 'planning' ? html`<p aria-live="polite">Asking what this will do…</p>` : ''}
      ${plan.result ? html`<h3>${plan.status === 'done' ? 'Started' : 'What it will do'}</h3><${Plan} plan=${plan.result.plan} />${plan.result.started ? html`<p data-testid="action-started">Started <code>${plan.result.started}</code></p>` : ''}` : ''}
      ${plan.error ? html`<p class="error" role="alert" data-testid="action-error">${plan.error}</p>` : ''}
      <p class="muted">Same as <code>${cliCommand(request)}</code></p>
      <div class="dialog-buttons">
        ${plan.status === 'planned' || plan.status === 'sending' ? html`<button type="button" class="primary" onClick=${confirm} disabled=${plan.status === 'sending'} data-testid="confirm">Confirm: ${request.action}</button>` : ''}
        <button type="button" onClick=${close} data-testid="close">${plan.status === 'done' ? 'Close' : 'Cancel'}</button>
      </div>
    </dialog>`;
}

/** A plan as the actions function returns it: its steps when it lists them, else its JSON. */
function Plan({ plan }: { plan: unknown }) {
  if (plan && typeof plan === 'object' && Array.isArray((plan as { steps?: unknown }).steps)) {
    return html`<ol data-testid="plan">${((plan as { steps: unknown[] }).steps).map((s) => html`<li>${typeof s === 'string' ? s : JSON.stringify(s)}</li>`)}</ol>`;
  }
  if (typeof plan === 'string') return html`<p data-testid="plan">${plan}</p>`;
  return html`<pre data-testid="plan">${JSON.stringify(plan, null, 2)}</pre>`;
}

