import { renderServe, serveGoals, type ServeResults } from '../../bench/serve';
import { summarize } from '../../bench/stats';

/** Section 8's goals and text from given figures (the bench measures; this checks how it judges). */
function results(medianMs: number, errors: number, readyMs: number): ServeResults {
  return {
    latency: [
      { call: 'ECS DescribeServices', endpoint: summarize([medianMs]), mock: summarize([0.02]) },
      { call: 'DynamoDB GetItem', endpoint: summarize([medianMs]), mock: summarize([0.02]) },
    ],
    concurrent: { clients: 100, callsEach: 10, errors, errorNames: errors ? ['ThrottlingException'] : [], retried: 3, perCallMs: summarize([1, 2, 3]), wallMs: 50 },
    ready: summarize([readyMs]),
    startMs: 150,
  };
}

test('each goal passes under its bound and misses over it', () => {
  expect(serveGoals(results(4.9, 0, 999)).map((g) => g.pass)).toEqual([true, true, true, true]);
  expect(serveGoals(results(5, 2, 1000)).map((g) => g.pass)).toEqual([false, false, false, false]);
  expect(serveGoals(results(1, 2, 1)).find((g) => !g.pass)?.note).toBe('ThrottlingException');
});

test('the section names both paths of each call and the concurrency outcome', () => {
  const md = renderServe(results(3, 0, 800));
  expect(md).toMatch(/^## 8\. `slipway local serve`/);
  expect(md).toContain('| ECS DescribeServices | 3 ms (3 ms-3 ms) | 0.02 ms (0.02 ms-0.02 ms) | 1 |');
  expect(md).toContain('100 concurrent clients x 10 calls');
  expect(md).toContain('0 errors');
});
