/**
 * Geometry for the correlation view: the timeline (one row per lane, one column per step) and the
 * graph (dagre lays the events out, left to right, linked by shared correlation IDs).
 */
import dagre from '@dagrejs/dagre';
import type { Chain } from '../../../src-main/shared/correlation/chain';

export interface TimelineDot {
  id: number;
  x: number;
  y: number;
  name: string;
  lane: string;
  deltaMs: number;
  error: boolean;
  backfilled: boolean;
}

export interface TimelineLayout {
  width: number;
  height: number;
  lanes: { id: string; label: string; y: number }[];
  dots: TimelineDot[];
}

export const LANE_HEIGHT = 34;
export const LABEL_WIDTH = 190;

/** Steps are placed in order (not to scale: a 5-second RX delay would crush the millisecond steps); deltas are labelled. */
export function timelineLayout(chain: Chain, width: number): TimelineLayout {
  const n = Math.max(1, chain.steps.length);
  const col = Math.max(26, (Math.max(width, LABEL_WIDTH + 100) - LABEL_WIDTH - 20) / n);
  const lanes = chain.lanes.map((l, i) => ({ id: l.id, label: l.label, y: 20 + i * LANE_HEIGHT + LANE_HEIGHT / 2 }));
  const laneY = new Map(lanes.map((l) => [l.id, l.y]));
  const dots = chain.steps.map((s, i) => ({
    id: s.event.id,
    x: LABEL_WIDTH + 10 + col * i + col / 2,
    y: laneY.get(s.lane) ?? 0,
    name: s.event.name,
    lane: s.lane,
    deltaMs: s.deltaMs,
    error: /\.(drop|fail|reject)$/.test(s.event.name),
    backfilled: s.event.backfilled === true,
  }));
  return { width: Math.max(width, LABEL_WIDTH + 20 + col * n), height: 28 + lanes.length * LANE_HEIGHT, lanes, dots };
}

export interface GraphNode {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  name: string;
  lane: string;
  error: boolean;
  backfilled: boolean;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: GraphNode[];
  edges: { from: number; to: number; via: string; points: { x: number; y: number }[] }[];
}

const NODE_W = 190;
const NODE_H = 34;

export function graphLayout(chain: Chain): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 40, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of chain.steps) g.setNode(String(s.event.id), { width: NODE_W, height: NODE_H });
  chain.edges.forEach((e, i) => g.setEdge(String(e.from), String(e.to), {}, `e${i}`));
  dagre.layout(g);
  const nodes = chain.steps.map((s) => {
    const n = g.node(String(s.event.id));
    return {
      id: s.event.id,
      x: n.x - NODE_W / 2,
      y: n.y - NODE_H / 2,
      width: NODE_W,
      height: NODE_H,
      name: s.event.name,
      lane: s.lane,
      error: /\.(drop|fail|reject)$/.test(s.event.name),
      backfilled: s.event.backfilled === true,
    };
  });
  const edges = chain.edges.map((e, i) => ({
    from: e.from,
    to: e.to,
    via: e.via,
    points:
      (g.edge(String(e.from), String(e.to), `e${i}`) as { points?: { x: number; y: number }[] } | undefined)?.points ??
      [],
  }));
  const graph = g.graph();
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}

/**
 * "+350 ns", "+3 ms", "+4.6 s". Event times have nanoseconds, and one server's events of an uplink can be
 * under a microsecond apart: those read in nanoseconds, not as "+0 µs". Each unit is used up to where its
 * rounding would reach the next ("+1.0 ms", never "+1000 µs").
 */
export function deltaText(ms: number): string {
  if (ms < 0.0009995) return `+${Math.round(ms * 1e6)} ns`;
  if (ms < 0.9995) return `+${Math.round(ms * 1000)} µs`;
  if (ms < 9.95) return `+${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `+${Math.round(ms)} ms`;
  if (ms < 9_950) return `+${(ms / 1000).toFixed(1)} s`;
  if (ms < 59_500) return `+${Math.round(ms / 1000)} s`;
  return `+${Math.round(ms / 60_000)} min`;
}
