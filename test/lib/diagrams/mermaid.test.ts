import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { measureChart } from '../../../lib/diagrams/layout';
import { aslToMermaid, BEGIN_MARKER, describeCondition, diagramsSection, drawStateMachine, END_MARKER, InvalidStateMachine, MAX_EDGE_LABEL, PHASES, updateDoc, wrapWords } from '../../../lib/diagrams/mermaid';

const ROOT = path.join(__dirname, '..', '..', '..');
const DIR = path.join(ROOT, 'statemachines');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.asl.json')).sort();

type State = Record<string, unknown> & { Type: string };

/** Every state of a definition, with those inside Map and Parallel states. */
function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, s]) => {
    const inner = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, State> } | undefined;
    const branches = (s.Branches as { States: Record<string, State> }[] | undefined) ?? [];
    return [[name, s] as [string, State], ...(inner ? allStates(inner.States) : []), ...branches.flatMap((b) => allStates(b.States))];
  });
}

/** The label a node of this name gets in the chart. */
const label = (name: string) => wrapWords(name).map((l) => l.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>');

describe('aslToMermaid', () => {
  test('there are ASL files to draw', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(3);
  });

  test.each(FILES)('%s: every state is a node and every Next, Default, Choice and Catch target an edge', (file) => {
    // Prepare
    const asl = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { States: Record<string, State> };
    const states = allStates(asl.States);

    // Act
    const chart = aslToMermaid(JSON.stringify(asl));

    // Assess
    expect(chart.startsWith('flowchart TD\n')).toBe(true);
    const idOf = new Map<string, string>();
    for (const [name] of states) {
      const escaped = label(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const m =
        new RegExp(`^\\s*(\\w+)(?:\\["|\\{"|\\(\\["|\\[\\["|\\("|\\[/")${escaped}(?:"|<br/><small>)`, 'm').exec(chart) ??
        new RegExp(`^\\s*subgraph (\\w+) \\["${escaped} \\((?:Map over .*|Parallel)\\)"\\]$`, 'm').exec(chart);
      expect(m).not.toBeNull();
      idOf.set(name, (m as RegExpExecArray)[1]);
    }
    let edges = 0;
    for (const [name, s] of states) {
      const from = idOf.get(name);
      const targets = [s.Next, s.Default, ...((s.Choices as { Next: string }[] | undefined) ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string');
      for (const t of targets) {
        expect(chart).toMatch(new RegExp(`^\\s*${from} (-->|-- ".*" -->) ${idOf.get(t)}$`, 'm'));
        edges++;
      }
      for (const c of (s.Catch as { Next: string }[] | undefined) ?? []) {
        expect(chart).toMatch(new RegExp(`^\\s*${from} -\\. "catch .*" \\.-> ${idOf.get(c.Next)}$`, 'm'));
        edges++;
      }
    }
    expect(edges).toBeGreaterThan(0);
  });

  test.each(FILES)('%s: every Task with a Retry shows it, with its max attempts', (file) => {
    const asl = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as { States: Record<string, State> };

    const chart = aslToMermaid(asl);

    for (const [name, s] of allStates(asl.States).filter(([, s]) => Array.isArray(s.Retry))) {
      const attempts = (s.Retry as { MaxAttempts?: number }[]).map((r) => r.MaxAttempts ?? 3);
      const line = chart.split('\n').find((l) => l.includes(`"${label(name)}<br/><small>`));
      expect(line).toBeDefined();
      expect(line).toContain(`<small>retry ${attempts.map((a) => `≤${a}`).join(' / ')}</small>`);
    }
  });

  test('a Map state is a subgraph holding its iterator states', () => {
    const asl = {
      StartAt: 'Each',
      States: {
        Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } }, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };

    const chart = aslToMermaid(asl);

    expect(chart).toMatch(/subgraph s0 \["Each \(Map over \$\.items\)"\]\n\s+direction TB\n\s+s0_each\(\["each item"\]\)\n\s+s0_2\["Work"\]/);
    expect(chart).toContain('s0_2 --> s0_done');
    expect(chart).toContain('s0 --> s1');
  });

  test('Parallel branches, Wait and Pass states get their own shapes', () => {
    const asl = {
      StartAt: 'Both',
      States: {
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }, { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 5, End: true } } }], Next: 'Stop' },
        Stop: { Type: 'Fail', Error: 'X' },
      },
    };

    const chart = aslToMermaid(asl);

    expect(chart).toContain('subgraph s0 ["Both (Parallel)"]');
    expect(chart).toContain('subgraph s0_b0 ["branch 1"]');
    expect(chart).toMatch(/s0_b0_\d+\("A"\)/);
    expect(chart).toMatch(/s0_b1_\d+\[\/"B"\/\]/);
    expect(chart).toMatch(/s1\[\["Stop"\]\]\n\s+class s1 fail/);
  });

  test('Choice rules are written as conditions, nested And/Or/Not included', () => {
    expect(describeCondition({ Or: [{ Variable: '$.release', IsPresent: false }, { Not: { Variable: '$.n', NumericGreaterThan: 3 } }] })).toBe('$.release is present: false OR NOT ($.n > 3)');
  });

  test('a condition comparing two paths reads as a path, a literal as a quoted literal', () => {
    expect(describeCondition({ Variable: '$.waits.count', NumericGreaterThanPath: '$.change.maxWaits' })).toBe('$.waits.count > $.change.maxWaits');
    expect(describeCondition({ Variable: '$.kind', StringEqualsPath: '$.wanted' })).toBe('$.kind == $.wanted');
    expect(describeCondition({ Variable: '$.kind', StringEquals: '$.wanted' })).toBe('$.kind == "$.wanted"');
  });

  test('Choice rules to one state are one edge; a long condition is a numbered rule written out in the table', () => {
    const asl = {
      StartAt: 'Running?',
      States: {
        'Running?': { Type: 'Choice', Choices: [{ Variable: '$.runningDeploys.count', NumericGreaterThan: 0, Next: 'Wait' }, { Variable: '$.runningReleases.count', NumericGreaterThan: 0, Next: 'Wait' }, { Variable: '$.ok', BooleanEquals: true, Next: 'Go' }], Default: 'Go' },
        Wait: { Type: 'Wait', Seconds: 5, Next: 'Running?' },
        Go: { Type: 'Succeed' },
      },
    };

    const { charts, rows } = drawStateMachine(asl);

    const chart = charts[0].mermaid;
    expect(chart.match(/^\s*s0 -- ".*" --> s1$/gm)).toEqual(['  s0 -- "rule 1 or 2" --> s1']);
    expect(chart.match(/^\s*s0 -- ".*" --> s2$/gm)).toEqual(['  s0 -- "$.ok == true or otherwise" --> s2']);
    expect(rows.filter((r) => r.kind === 'rule').map((r) => [r.label, r.detail, r.to])).toEqual([
      ['rule 1', '$.runningDeploys.count > 0', 'Wait'],
      ['rule 2', '$.runningReleases.count > 0', 'Wait'],
      ['rule 3', '$.ok == true', 'Go'],
    ]);
  });

  test('a rule and the Default going to one state, or two Catches going to one state, are one edge', () => {
    const asl = {
      StartAt: 'Try',
      States: {
        Try: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['A'], Next: 'Done' }, { ErrorEquals: ['B'], Next: 'Done' }], Next: 'Which?' },
        'Which?': { Type: 'Choice', Choices: [{ Variable: '$.a', BooleanEquals: true, Next: 'Done' }, { Variable: '$.b', BooleanEquals: true, Next: 'Other' }], Default: 'Done' },
        Other: { Type: 'Succeed' },
        Done: { Type: 'Succeed' },
      },
    };

    const { charts, rows } = drawStateMachine(asl);

    const chart = charts[0].mermaid;
    expect(chart.match(/^\s*s0 -\. .* \.-> s3$/gm)).toEqual(['  s0 -. "catch A, B" .-> s3']);
    expect(chart.match(/^\s*s1 -- .* --> s3$/gm)).toEqual(['  s1 -- "$.a == true or otherwise" --> s3']);
    expect(rows.filter((r) => r.kind === 'catch').map((r) => r.detail)).toEqual(['`A`', '`B`']);
  });

  test('a Catch label names the errors briefly; the table names them in full', () => {
    const asl = {
      StartAt: 'Start',
      States: {
        Start: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Catch: [{ ErrorEquals: ['StepFunctions.ExecutionAlreadyExistsException'], Next: 'Done' }, { ErrorEquals: ['A.VeryLongErrorNameNumberOne', 'B.AnotherLongErrorName', 'C.Third'], Next: 'Other' }], Next: 'Done' },
        Done: { Type: 'Succeed' },
        Other: { Type: 'Succeed' },
      },
    };

    const { charts, rows } = drawStateMachine(asl);

    expect(charts[0].mermaid).toContain('s0 -. "catch ExecutionAlreadyExists" .-> s1');
    expect(charts[0].mermaid).toContain('s0 -. "catch 3 errors" .-> s2');
    expect(rows.find((r) => r.kind === 'catch')?.detail).toBe('`StepFunctions.ExecutionAlreadyExistsException`');
  });

  test('with phases, each top-level state is drawn in exactly one chart and edges between charts end in "part N" flags', () => {
    const asl = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Choice', Choices: [{ Variable: '$.x', BooleanEquals: true, Next: 'C' }], Default: 'Oops' },
        C: { Type: 'Pass', Next: 'D' },
        D: { Type: 'Succeed' },
        Oops: { Type: 'Fail', Error: 'X' },
      },
    };

    const { charts } = drawStateMachine(asl, [{ title: 'first', from: 'A' }, { title: 'second', from: 'C' }]);

    expect(charts.map((c) => c.title)).toEqual(['first', 'second']);
    expect(charts[0].mermaid).toMatch(/s4\[\["Oops"\]\]/);
    expect(charts[0].mermaid).toContain('s1 -- "$.x == true" --> to_s2');
    expect(charts[0].mermaid).toContain('to_s2>"part 2: C"]');
    expect(charts[0].mermaid).not.toMatch(/^\s*s2\(/m);
    expect(charts[1].mermaid).toContain('from_s2(["from part 1"]) --> s2');
    expect(charts[1].mermaid).not.toContain('start((start))');
    expect(charts[1].mermaid).toContain('s3 --> finish');
    expect(() => drawStateMachine(asl, [{ title: 'x', from: 'Nope' }])).toThrow(/"Nope", which is not a top-level state/);
    expect(() => drawStateMachine(asl, [{ title: 'x', from: 'C' }])).toThrow(/no phase reaches "A", "B", "Oops"/);
  });

  test('quotes in state names cannot break the chart', () => {
    const chart = aslToMermaid({ StartAt: 'Say "hi" <now>', States: { 'Say "hi" <now>': { Type: 'Succeed' } } });

    expect(chart).toContain('s0(["Say #quot;hi#quot; #lt;now#gt;"])');
  });

  test('a Next to a missing state is an InvalidStateMachine naming both states', () => {
    expect(() => aslToMermaid({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } })).toThrow(new InvalidStateMachine('state "A" goes to "Nowhere", which does not exist'));
  });

  test('a document that is not ASL is refused', () => {
    expect(() => aslToMermaid('{"States": {}}')).toThrow(InvalidStateMachine);
    expect(() => aslToMermaid('not json')).toThrow(/^not JSON/);
  });
});

describe('docs/pipelines.md', () => {
  test('the committed diagrams are those generated from statemachines/ (run npm run diagrams)', () => {
    // Prepare
    const committed = readFileSync(path.join(ROOT, 'docs', 'pipelines.md'), 'utf8');

    // Act
    const fresh = updateDoc(committed, DIR);

    // Assess
    expect(committed).toBe(fresh);
  });

  test('the generated section has one flowchart per ASL file', () => {
    const section = diagramsSection(DIR);

    expect(section.startsWith(BEGIN_MARKER)).toBe(true);
    expect(section.endsWith(END_MARKER)).toBe(true);
    const charts = FILES.reduce((n, f) => n + Math.max(1, PHASES[f]?.length ?? 0), 0);
    expect(section.match(/```mermaid\nflowchart TD/g)).toHaveLength(charts);
    for (const f of FILES) expect(section).toContain(`### ${f.replace('.asl.json', '')}\n`);
  });

  test('a document without the markers is refused rather than overwritten', () => {
    expect(() => updateDoc('# hand-written only\n', DIR)).toThrow(InvalidStateMachine);
  });
});

/** Every Mermaid block of a Markdown text. */
const mermaidBlocks = (text: string) => [...text.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Readable at page width: GitHub shows about 830 px of a README or doc; a chart wider than that is shrunk. */
const MAX_WIDTH = 800;
const MAX_NODES = 16;
const MAX_NODE_LINE = 30;

describe('charts readable at page width', () => {
  test('measureChart finds a long left-to-right chain and a wide rank too wide', () => {
    const chain = ['flowchart LR', ...Array.from({ length: 8 }, (_, i) => `  n${i}["Register task definitions"]`), ...Array.from({ length: 7 }, (_, i) => `  n${i} --> n${i + 1}`)].join('\n');
    const fan = ['flowchart TD', '  a{"which?"}', ...Array.from({ length: 6 }, (_, i) => `  b${i}["Give up the redeploy claim"]`), ...Array.from({ length: 6 }, (_, i) => `  a -- "case ${i}" --> b${i}`)].join('\n');

    expect(measureChart(chain).width).toBeGreaterThan(MAX_WIDTH);
    expect(measureChart(chain.replace('flowchart LR', 'flowchart TD')).width).toBeLessThan(MAX_WIDTH);
    expect(measureChart(fan).widestRank).toBe(6);
    expect(measureChart(fan).width).toBeGreaterThan(MAX_WIDTH);
  });

  test('measureChart ignores back edges and reads subgraphs, shapes and edge labels', () => {
    const chart = ['flowchart TD', '  s0["Look<br/><small>retry ≤6</small>"]', '  subgraph m ["Map"]', '    m_a(["each"])', '    m_b["work"]', '    m_a --> m_b', '  end', '  s0 --> m', '  m --> s0', '  m -. "catch a long error label" .-> s1', '  s1[["Stop"]]'].join('\n');

    const measure = measureChart(chart);

    expect(measure.nodes).toBe(4);
    expect(measure.widestRank).toBe(1);
    expect(measure.longestNodeLine).toBe("retry ≤6".length);
    expect(measure.longestEdgeLabel).toBe('catch a long error label'.length);
  });

  const pipelines = readFileSync(path.join(ROOT, 'docs', 'pipelines.md'), 'utf8');
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const charts = [...mermaidBlocks(pipelines).map((c, i) => [`docs/pipelines.md chart ${i + 1}`, c]), ...mermaidBlocks(readme).map((c, i) => [`README.md chart ${i + 1}`, c])];

  test('there are charts to check, the README overview among them', () => {
    expect(mermaidBlocks(readme).length).toBeGreaterThanOrEqual(1);
    expect(mermaidBlocks(pipelines).length).toBeGreaterThan(FILES.length);
  });

  test.each(charts)('%s: top-down, at most 16 nodes, about 800 px wide, short labels', (_, chart) => {
    const m = measureChart(chart);

    expect(m.direction).toBe('TD');
    expect(m.nodes).toBeLessThanOrEqual(MAX_NODES);
    expect(m.widestRank).toBeLessThanOrEqual(4);
    expect(m.width).toBeLessThanOrEqual(MAX_WIDTH);
    expect(m.longestNodeLine).toBeLessThanOrEqual(MAX_NODE_LINE);
    expect(m.longestEdgeLabel).toBeLessThanOrEqual(MAX_EDGE_LABEL);
  });

  test('no two labelled edges join the same two nodes (their labels would overlap)', () => {
    for (const chart of mermaidBlocks(pipelines)) {
      const pairs = [...chart.matchAll(/^\s*(\w+) (?:--|-\.) "[^"]*" (?:-->|\.->) (\w+)$/gm)].map((m) => `${m[1]}>${m[2]}`);
      expect(pairs.length).toBeGreaterThan(0);
      expect(new Set(pairs).size).toBe(pairs.length);
    }
  });

  test('no Choice edge label shows a path as a quoted string', () => {
    for (const chart of mermaidBlocks(pipelines)) expect(chart).not.toMatch(/#quot;\$\./);
  });

  test('every document that uses the retry notation explains it', () => {
    for (const doc of [pipelines, readme]) {
      if (!/retry ≤\d/.test(mermaidBlocks(doc).join('\n'))) continue;
      expect(doc).toContain('**Retry notation.** `retry ≤6` under a Task');
      expect(doc).toMatch(/\| `retry ≤\d+` \| `[^|]+`.*: up to \d+ retries/);
    }
    expect(pipelines).not.toMatch(/ \+\d+ ×\d/);
  });
});
