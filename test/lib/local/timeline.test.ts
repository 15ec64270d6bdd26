import { renderTimeline } from '../../../lib/local/timeline';
import { exampleWorld, runBuild } from '../../statemachines/scenarios';

describe('renderTimeline', () => {
  test('lists the milestone events with their build and, for a failure, the error', async () => {
    const { run } = await runBuild(exampleWorld({ release: { exitCode: 1 } }));

    const text = renderTimeline(run.report());

    expect(text).toContain('events (source slipway):');
    expect(text).toMatch(/t\+0s\s+Release Started \(build 42\)/);
    // The failed release announces nothing itself (execution-status does, from the status event), and
    // the timeline shows where it stopped: the state a redrive re-runs.
    expect(text).toMatch(/✗ Run release task/);
    expect(text).toMatch(/→ States\.TaskFailed: /);
    expect(text).not.toContain('Deploy Started');
  });

  test('says so when no event was sent', async () => {
    const { run } = await runBuild(exampleWorld({ throttle: { PutEvents: 100 } }));

    expect(renderTimeline(run.report())).toContain('events (source slipway): none');
  });
});
