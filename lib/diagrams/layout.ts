/**
 * A rough measure of how wide a Mermaid flowchart renders, without a browser: the chart is parsed (the subset
 * Slipway writes: one node definition or one edge a line, subgraphs, `flowchart TD|LR`), its nodes are put on
 * ranks by longest path (back edges ignored, as dagre does), each edge label sits on a rank of its own
 * between its two nodes' ranks (dagre makes it a node), and a rank is as wide as its nodes and labels side by
 * side. In a `LR` chart the ranks run across the page, so the width is their sum.
 */

export interface ChartMeasure {
  direction: string;
  nodes: number;
  /** The most nodes and edge labels on one rank. */
  widestRank: number;
  /** Estimated rendered width in px (about 7 px a character of a label's longest line, plus padding). */
  width: number;
  /** The longest line of any node label, and of any edge label, in characters. */
  longestNodeLine: number;
  longestEdgeLabel: number;
}

const CHAR_PX = 7;
const NODE_PAD = 40;
const GAP = 50;

/** Label text as a reader sees it: entities one character, tags gone, lines split at `<br/>`. */
export function labelLines(label: string): string[] {
  return label
    .split(/<br\s*\/?>/)
    .map((l) => l.replace(/<[^>]+>/g, '').replace(/#\w+;|&\w+;/g, '_').trim())
    .filter((l) => l.length > 0);
}

const NODE = /^([A-Za-z_][\w-]*)\s*(\(\(|\(\[|\[\[|\[\/|\[|\{|\(|>)"?(.*?)"?(\)\)|\]\)|\]\]|\/\]|\]|\}|\))\s*$/;
const EDGE = /^([A-Za-z_][\w-]*)\s*(?:--\s*"([^"]*)"\s*-->|-\.\s*"([^"]*)"\s*\.->|-->\|([^|]*)\||-\.->\|([^|]*)\||-->|-\.->|-\.-|---)\s*([A-Za-z_][\w-]*)$/;

export function measureChart(mermaid: string): ChartMeasure {
  const lines = mermaid.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('%%'));
  const header = /^flowchart\s+(TD|TB|LR|RL|BT)$/.exec(lines[0] ?? '');
  if (!header) throw new Error(`not a flowchart: ${lines[0] ?? ''}`);
  const direction = header[1];
  const labels = new Map<string, string>();
  const order: string[] = [];
  const subgraphs = new Map<string, string[]>();
  const open: string[] = [];
  const edges: { from: string; to: string; label?: string }[] = [];
  const node = (id: string, label?: string) => {
    if (!labels.has(id)) order.push(id);
    if (label !== undefined || !labels.has(id)) labels.set(id, label ?? id);
    for (const s of open) subgraphs.get(s)?.push(id);
  };
  for (const line of lines.slice(1)) {
    if (/^(classDef|class|style|linkStyle|direction)\b/.test(line)) continue;
    const sub = /^subgraph\s+([\w-]+)/.exec(line);
    if (sub) {
      subgraphs.set(sub[1], []);
      open.push(sub[1]);
      continue;
    }
    if (line === 'end') {
      open.pop();
      continue;
    }
    // An edge whose ends may carry a definition: `a(["x"]) --> b` is the definition of a, then the edge.
    const split = /^(.*?[\]})>"])\s+(--|-\.|-->|-\.->)(.*)$/.exec(line);
    let text = line;
    if (split && NODE.test(split[1].trim())) {
      const m = NODE.exec(split[1].trim()) as RegExpExecArray;
      node(m[1], m[3]);
      text = `${m[1]} ${split[2]}${split[3]}`;
    }
    const e = EDGE.exec(text);
    if (e) {
      if (!labels.has(e[1])) node(e[1]);
      if (!labels.has(e[6]) && !subgraphs.has(e[6])) node(e[6]);
      edges.push({ from: e[1], to: e[6], label: e[2] ?? e[3] ?? e[4] ?? e[5] });
      continue;
    }
    const n = NODE.exec(text);
    if (n) node(n[1], n[3]);
    else throw new Error(`cannot read this line: ${line}`);
  }
  // An edge to a subgraph enters its first node; an edge from it leaves from its last.
  const inner = (id: string, end: 'first' | 'last'): string => {
    const members = subgraphs.get(id);
    if (!members || members.length === 0) return id;
    return inner(end === 'first' ? members[0] : members[members.length - 1], end);
  };
  const graph = edges.map((e) => ({ from: inner(e.from, 'last'), to: inner(e.to, 'first'), label: e.label }));
  const out = new Map<string, typeof graph>();
  for (const e of graph) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  // Back edges (to a node on the current depth-first path) are left out of the ranking.
  const forward: typeof graph = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string) => {
    state.set(id, 'open');
    for (const e of out.get(id) ?? []) {
      if (state.get(e.to) === 'open') continue;
      forward.push(e);
      if (!state.has(e.to)) visit(e.to);
    }
    state.set(id, 'done');
  };
  for (const id of order) if (!state.has(id) && !subgraphs.has(id)) visit(id);
  const rank = new Map<string, number>();
  const rankOf = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    rank.set(id, 0);
    const preds = forward.filter((e) => e.to === id);
    const r = preds.length === 0 ? 0 : Math.max(...preds.map((e) => rankOf(e.from) + 1));
    rank.set(id, r);
    return r;
  };
  const slots = new Map<number, number[]>();
  const put = (r: number, px: number) => slots.set(r, [...(slots.get(r) ?? []), px]);
  const px = (label: string, scale = 1) => Math.max(...labelLines(label).map((l) => l.length), 1) * CHAR_PX * scale;
  const nodes = order.filter((id) => !subgraphs.has(id));
  for (const id of nodes) put(2 * rankOf(id), px(labels.get(id) as string) + NODE_PAD);
  for (const e of forward) if (e.label) put(2 * rankOf(e.from) + 1, px(e.label, 0.9) + 10);
  const ranks = [...slots.values()];
  const width = direction === 'LR' || direction === 'RL'
    ? ranks.reduce((sum, r) => sum + Math.max(...r), 0) + GAP * (ranks.length - 1)
    : Math.max(...ranks.map((r) => r.reduce((a, b) => a + b, 0) + GAP * (r.length - 1)));
  return {
    direction,
    nodes: nodes.length,
    widestRank: Math.max(...ranks.map((r) => r.length)),
    width: Math.round(width),
    longestNodeLine: Math.max(0, ...nodes.flatMap((id) => labelLines(labels.get(id) as string).map((l) => l.length))),
    longestEdgeLabel: Math.max(0, ...edges.map((e) => (e.label ? labelLines(e.label).join(' ').length : 0))),
  };
}
