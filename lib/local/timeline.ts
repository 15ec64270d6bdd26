import type { ExecutionReport, RunReport, StateVisit } from './runner';

const MARK: Record<StateVisit['status'], string> = { entered: '…', succeeded: '✓', failed: '✗', caught: '↪' };

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `t+${m > 0 ? `${m}m` : ''}${String(s).padStart(m > 0 ? 2 : 1, '0')}s`.padEnd(9);
}

function oneLine(text: string | undefined, max = 400): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ');
  try {
    const parsed = JSON.parse(flat) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage.slice(0, max);
  } catch {
    /* not a Lambda error document */
  }
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function execution(e: ExecutionReport): string[] {
  const lines = [`${e.status === 'SUCCEEDED' ? '✓' : e.status === 'FAILED' ? '✗' : '…'} ${e.name}  (${e.stateMachine})  ${e.status}${e.redriveCount ? `  redriven ${e.redriveCount}×` : ''}`];
  for (const s of e.states) {
    if (s.type === 'Choice' && s.status === 'succeeded') continue;
    const where = s.iteration ? `[${s.iteration}] ` : '';
    const retries = s.retries > 0 ? `  (retried ${s.retries}×)` : '';
    lines.push(`  ${clock(s.at)} ${MARK[s.status]} ${where}${s.name}${retries}`);
    if ((s.status === 'failed' || s.status === 'caught') && s.error && s.type !== 'Fail') lines.push(`              ${s.error}: ${oneLine(s.cause)}`);
  }
  if (e.status === 'FAILED') {
    lines.push(`  → ${e.error ?? 'failed'}: ${oneLine(e.cause, 1000)}`);
  }
  return lines;
}

/** The run as a person reads the console's graph view: executions, states, retries, the failure. */
export function renderTimeline(report: RunReport): string {
  const lines: string[] = [];
  for (const e of report.executions) lines.push(...execution(e), '');
  const t = report.totals;
  lines.push(`${t.stateTransitions} state transitions, ${t.lambdaInvocations} Lambda invocations, ${t.releaseTasksStarted} release task(s), ${t.taskDefinitionsRegistered} task definition(s) registered, ${t.simulatedSeconds} s simulated`);
  for (const [name, s] of Object.entries(report.world.services)) lines.push(`service ${name}: ${s.image} (${s.taskDefinition.split('/').pop()})`);
  const r = report.world.lastGoodRelease;
  lines.push(r ? `last good release: build ${r.build}, ${r.image}` : 'last good release: none');
  if (report.events.length > 0) {
    lines.push('events (source slipway):');
    for (const ev of report.events) {
      const error = typeof ev.detail.error === 'string' ? ` ${ev.detail.error}` : '';
      lines.push(`  ${clock(ev.at)} ${ev.detailType} (build ${String(ev.detail.buildKey)})${error}`);
    }
  } else {
    lines.push('events (source slipway): none');
  }
  return lines.join('\n');
}
