/**
 * bench/heap-diff.ts: what grew between two heap snapshots of one process (v8.writeHeapSnapshot, or
 * --heapsnapshot-signal), by kind of node (type and constructor, or the kind of string): the net change of each
 * kind's count and self size, and for the kinds that grew most, the net change of the edges that hold them, by the
 * holder's kind and the edge's name (who holds what grew). `--per N` divides by N (the new callers between the two).
 * Node ids are not compared (v8.writeHeapSnapshot numbers each snapshot afresh).
 *
 *   node --max-old-space-size=4096 --import tsx bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [--per N] [--top 25]
 *
 * Self sizes only (no dominator tree): a Map's entries show as its table's growth, a string as its own bytes, and a
 * sliced string's self size leaves out the message it keeps alive (see the holders of the parent string).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  nodes: number[];
  edges: number[];
  strings: string[];
  nodeFields: string[];
  edgeFields: string[];
  nodeTypes: string[];
  edgeTypes: string[];
}

function load(file: string): Snapshot {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: {
      meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] };
    };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const meta = raw.snapshot.meta;
  return {
    nodes: raw.nodes,
    edges: raw.edges,
    strings: raw.strings,
    nodeFields: meta.node_fields,
    edgeFields: meta.edge_fields,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
  };
}

interface Group {
  count: number;
  bytes: number;
  holders: Map<string, number>;
}

function kindOf(s: Snapshot, at: number): string {
  const type = s.nodeTypes[s.nodes[at]!]!;
  const name = s.strings[s.nodes[at + 1]!]!;
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return type;
  if (type === 'number') return 'heap number';
  if (type === 'code') return 'code';
  return `${type} ${name.length > 60 ? `${name.slice(0, 57)}...` : name}`;
}

function summarize(s: Snapshot): Map<string, Group> {
  const nf = s.nodeFields.length;
  const ef = s.edgeFields.length;
  const sizeAt = s.nodeFields.indexOf('self_size');
  const edgeCountAt = s.nodeFields.indexOf('edge_count');
  const edgeType = s.edgeFields.indexOf('type');
  const edgeName = s.edgeFields.indexOf('name_or_index');
  const edgeTo = s.edgeFields.indexOf('to_node');
  const all = new Map<string, Group>();
  const kinds: string[] = [];
  for (let at = 0; at < s.nodes.length; at += nf) {
    const k = kindOf(s, at);
    kinds.push(k);
    let g = all.get(k);
    if (g === undefined) {
      g = { count: 0, bytes: 0, holders: new Map() };
      all.set(k, g);
    }
    g.count++;
    g.bytes += s.nodes[at + sizeAt]!;
  }
  // Holders: every strong edge, by the holder's kind and the edge's name, counted under the held node's kind.
  let e = 0;
  for (let at = 0; at < s.nodes.length; at += nf) {
    const holder = kinds[at / nf]!;
    const count = s.nodes[at + edgeCountAt]!;
    for (let i = 0; i < count; i++, e += ef) {
      const type = s.edgeTypes[s.edges[e + edgeType]!]!;
      if (type === 'weak' || type === 'shortcut') continue;
      const to = s.edges[e + edgeTo]!;
      const nameOrIndex = s.edges[e + edgeName]!;
      const name =
        type === 'element' || type === 'hidden' ? `[${type}]` : (s.strings[nameOrIndex] ?? String(nameOrIndex));
      const g = all.get(kinds[to / nf]!)!;
      const key = `${holder} .${name.length > 30 ? `${name.slice(0, 27)}...` : name}`;
      g.holders.set(key, (g.holders.get(key) ?? 0) + 1);
    }
  }
  return all;
}

function main(): void {
  const [a, b] = process.argv.slice(2).filter((x) => x.endsWith('.heapsnapshot'));
  if (a === undefined || b === undefined) {
    console.log('usage: bench/heap-diff.ts A.heapsnapshot B.heapsnapshot [--per N] [--top 25]');
    process.exitCode = 2;
    return;
  }
  const opt = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const per = opt('per', 1);
  const top = opt('top', 25);
  const first = load(a);
  const before = summarize(first);
  first.nodes = [];
  first.edges = [];
  const after = summarize(load(b));
  const total = (m: Map<string, Group>): number => [...m.values()].reduce((x, g) => x + g.bytes, 0);
  const unit = per === 1 ? 'B' : `B per ${per}`;
  console.log(
    `heap-diff: ${a} (${(total(before) / 1048576).toFixed(1)} MB) → ${b} (${(total(after) / 1048576).toFixed(1)} MB); net ${((total(after) - total(before)) / per).toFixed(1)} ${unit}`,
  );
  console.log('net change by kind (second less first), largest first, with the net change of its holders:');
  const keys = new Set([...before.keys(), ...after.keys()]);
  const net = [...keys]
    .map((k) => ({
      k,
      count: (after.get(k)?.count ?? 0) - (before.get(k)?.count ?? 0),
      bytes: (after.get(k)?.bytes ?? 0) - (before.get(k)?.bytes ?? 0),
    }))
    .sort((x, y) => Math.abs(y.bytes) - Math.abs(x.bytes))
    .slice(0, top);
  for (const r of net) {
    console.log(
      `  ${(r.bytes / per).toFixed(1).padStart(9)} ${unit}  ${(r.count / per).toFixed(2).padStart(8)} nodes  ${r.k}`,
    );
    const was = before.get(r.k)?.holders ?? new Map<string, number>();
    const now = after.get(r.k)?.holders ?? new Map<string, number>();
    const holders = [...new Set([...was.keys(), ...now.keys()])]
      .map((h) => ({ h, d: (now.get(h) ?? 0) - (was.get(h) ?? 0) }))
      .sort((x, y) => Math.abs(y.d) - Math.abs(x.d))
      .slice(0, 5);
    for (const { h, d } of holders)
      if (d !== 0) console.log(`             ${(d / per).toFixed(2).padStart(8)} edges from ${h}`);
  }
}

main();
