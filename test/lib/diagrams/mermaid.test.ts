import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { aslToMermaid, BEGIN_MARKER, describeCondition, diagramsSection, END_MARKER, InvalidStateMachine, updateDoc } from '../../../lib/diagrams/mermaid';

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
const label = (name: string) => name.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

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
        new RegExp(`^\\s*(\\w+)(?:\\["|\\{"|\\(\\["|\\[\\["|\\("|\\[/")${escaped}(?:"|<br/>)`, 'm').exec(chart) ??
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
      const line = chart.split('\n').find((l) => l.includes(`"${label(name)}<br/>`));
      expect(line).toBeDefined();
      for (const a of attempts) expect(line).toContain(`×${a}`);
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
    expect(section.match(/```mermaid\nflowchart TD/g)).toHaveLength(FILES.length);
    for (const f of FILES) expect(section).toContain(`### ${f.replace('.asl.json', '')}\n`);
  });

  test('a document without the markers is refused rather than overwritten', () => {
    expect(() => updateDoc('# hand-written only\n', DIR)).toThrow(InvalidStateMachine);
  });
});
