import {
  BenchInputError,
  formatNumber,
  formatRatio,
  formatSummary,
  formatUsd,
  goalFewerTransitions,
  goalTransitionsIndependent,
  goalUnder,
  goalWithinFactor,
  markdownTable,
  pricePer1000Releases,
  ratioOfMedians,
  summarize,
} from '../../bench/stats';

const fixed = (v: number) => summarize([v]);

describe('summarize', () => {
  test('an odd count: the middle value, min and max', () => {
    const s = summarize([9, 1, 5]);

    expect(s).toEqual({ n: 3, median: 5, min: 1, max: 9, values: [9, 1, 5] });
  });

  test('an even count: the mean of the two middle values', () => {
    const s = summarize([4, 1, 3, 10]);

    expect(s.median).toBe(3.5);
  });

  test('no samples is a BenchInputError, not NaN', () => {
    expect(() => summarize([])).toThrow(BenchInputError);
  });

  test('a failed measurement (NaN) is refused with the value named', () => {
    expect(() => summarize([1, Number.NaN])).toThrow('sample NaN is not a finite number');
  });
});

describe('ratioOfMedians', () => {
  test('divides the medians', () => {
    expect(ratioOfMedians(summarize([10, 30, 20]), summarize([4, 5, 6]))).toBe(4);
  });

  test('0 over 0 is 1 and x over 0 is infinite', () => {
    expect(ratioOfMedians(fixed(0), fixed(0))).toBe(1);
    expect(ratioOfMedians(fixed(3), fixed(0))).toBe(Infinity);
  });
});

describe('pricePer1000Releases', () => {
  test('Step Functions: $0.025 per 1,000 transitions, so 40 transitions a release cost $1 per 1,000 releases', () => {
    const p = pricePer1000Releases(40, 0);

    expect(p.stepFunctions).toBeCloseTo(1, 10);
    expect(p.lambda).toBe(0);
  });

  test('Lambda: request price plus GB-seconds at the Arm rate', () => {
    const p = pricePer1000Releases(0, 1, { memoryMb: 1024, billedMsPerInvocation: 1000 });

    // 1,000 invocations x ($0.0000002 + 1 GB-s x $0.0000133334)
    expect(p.lambda).toBeCloseTo(1000 * (0.2 / 1e6 + 0.0000133334), 12);
    expect(p.total).toBeCloseTo(p.lambda, 12);
  });

  test('negative counts are refused', () => {
    expect(() => pricePer1000Releases(-1, 0)).toThrow(BenchInputError);
  });
});

describe('goals', () => {
  test('transitions equal at every settle time, no spread: pass', () => {
    const g = goalTransitionsIndependent([
      { settleSeconds: 60, transitions: summarize([26, 26]) },
      { settleSeconds: 600, transitions: summarize([26, 26]) },
    ]);

    expect(g.pass).toBe(true);
    expect(g.figure).toBe('26 at 60 s, 26 at 600 s');
  });

  test('transitions that grow at a longer settle time: miss', () => {
    const g = goalTransitionsIndependent([
      { settleSeconds: 60, transitions: fixed(26) },
      { settleSeconds: 1800, transitions: fixed(30) },
    ]);

    expect(g.pass).toBe(false);
  });

  test('equal medians but spread between runs: miss (not independent of the run)', () => {
    const g = goalTransitionsIndependent([
      { settleSeconds: 60, transitions: summarize([25, 26, 27]) },
      { settleSeconds: 600, transitions: fixed(26) },
    ]);

    expect(g.pass).toBe(false);
  });

  test('independence needs two settle times', () => {
    expect(() => goalTransitionsIndependent([{ settleSeconds: 60, transitions: fixed(26) }])).toThrow(BenchInputError);
  });

  test('exactly 5x fewer transitions passes, just under misses', () => {
    expect(goalFewerTransitions(fixed(20), fixed(100), 600).pass).toBe(true);
    expect(goalFewerTransitions(fixed(20), fixed(99), 600).pass).toBe(false);
  });

  test('"under 1 s" is strict: 1 s misses', () => {
    expect(goalUnder('latency', fixed(1), 1, 's').pass).toBe(false);
    expect(goalUnder('latency', fixed(0.5), 1, 's').pass).toBe(true);
  });

  test('"within 1.5x" includes 1.5x and shows the ratio', () => {
    const g = goalWithinFactor('cold start', fixed(150), fixed(100), 1.5);

    expect(g.pass).toBe(true);
    expect(g.figure).toBe('1.50x');
    expect(goalWithinFactor('cold start', fixed(151), fixed(100), 1.5).pass).toBe(false);
  });
});

describe('formatting', () => {
  test('numbers drop trailing zeros', () => {
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(0.256, 2)).toBe('0.26');
  });

  test('ratios have two decimals; an infinite ratio says so', () => {
    expect(formatRatio(10.153)).toBe('10.15x');
    expect(formatRatio(Infinity)).toBe('infinite');
  });

  test('dollars: cents above a cent, two significant digits below', () => {
    expect(formatUsd(6.6)).toBe('$6.60');
    expect(formatUsd(0.005866)).toBe('$0.0059');
    expect(formatUsd(0)).toBe('$0');
    expect(() => formatUsd(-1)).toThrow(BenchInputError);
  });

  test('a summary shows median (min-max), or one value when there is no spread', () => {
    expect(formatSummary(summarize([48.71, 45.12, 60.2]), 'ms')).toBe('48.7 ms (45.1-60.2)');
    expect(formatSummary(summarize([26, 26]))).toBe('26');
  });

  test('a Markdown table escapes pipes in cells', () => {
    const t = markdownTable(['a', 'b'], [['x|y', '1']]);

    expect(t.split('\n')).toEqual(['| a | b |', '|---|---|', '| x\\|y | 1 |']);
  });

  test('a row with the wrong number of cells is refused', () => {
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow('table row has 1 cells, the header 2');
  });
});
