/**
 * bench/cpu-profile.ts: where a `.cpuprofile` (node --cpu-prof, e.g. bench:sip's --cpu-prof DIR) spends its time,
 * summed by module and by function, self and inclusive, over a window of the profile (the busiest stretch by
 * default: a bench round, not the start-up and warm-up around it).
 *
 *   npx tsx bench/cpu-profile.ts FILE.cpuprofile [--window SECONDS | --from S --to S] [--top 25] [--calls N]
 *                                [--callers TEXT] [--depth 4]
 *
 *   --window S     the S-second stretch with the most busy (non-idle) samples (default 10; 0: the whole profile)
 *   --from/--to S  a window by seconds since the profile's start instead
 *   --calls N      calls handled in the window: adds profiled µs per call beside each figure
 *   --callers TEXT the call paths (--depth frames up) leading to the functions whose name or file holds TEXT
 *
 * Samples are the main thread's only (V8's profiler); SQLite's thread and libuv's pool are not in it: compare the
 * busy total with the process's CPU time (bench:sip prints the main thread's and the other threads' apart). A sample
 * stands for the time since the one before it (its time delta). At short intervals the profiler itself costs: read
 * shares, not costs.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Summary {
  windowUs: [number, number];
  totalUs: number;
  idleUs: number;
  busyUs: number;
  selfByModule: Map<string, number>;
  inclusiveByModule: Map<string, number>;
  selfByFunction: Map<string, number>;
  inclusiveByFunction: Map<string, number>;
  callers: Map<string, number>;
}

const IDLE = '(idle)';

/** The module a frame belongs to: a package, a file of this repository, node's internals, or V8's pseudo-frames. */
export function moduleOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const src = url.search(/\/(src|bench|dist\/src)\//);
  if (src >= 0)
    return url
      .slice(src + 1)
      .replace(/^dist\//, '')
      .replace(/\.(js|ts|cjs|mjs)$/, '');
  return basename(url);
}

function functionKey(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  return `${name} ${moduleOf(frame)}:${frame.lineNumber + 1}`;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

/** Each sample's start (µs since the profile's start) and the time it stands for (its delta: since the one before). */
function timeline(profile: Profile): { at: number[]; dur: number[] } {
  const at: number[] = [];
  const dur: number[] = [];
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    at.push(t);
    dur.push(delta);
    t += delta;
  }
  return { at, dur };
}

/** The window of `seconds` with the most busy time, by 100-ms bins; the whole profile for 0. */
export function busiestWindow(profile: Profile, seconds: number, idleIds: Set<number>): [number, number] {
  const total = profile.endTime - profile.startTime;
  if (seconds <= 0 || seconds * 1e6 >= total) return [0, total];
  const { at, dur } = timeline(profile);
  const binUs = 100_000;
  const bins = new Float64Array(Math.ceil(total / binUs) + 1);
  for (let i = 0; i < at.length; i++)
    if (!idleIds.has(profile.samples[i] as number)) {
      const b = Math.floor((at[i] as number) / binUs);
      bins[b] = (bins[b] as number) + (dur[i] as number);
    }
  const width = Math.round((seconds * 1e6) / binUs);
  let sum = 0;
  for (let b = 0; b < width; b++) sum += bins[b] as number;
  let best = sum;
  let bestStart = 0;
  for (let b = width; b < bins.length; b++) {
    sum += (bins[b] as number) - (bins[b - width] as number);
    if (sum > best) {
      best = sum;
      bestStart = b - width + 1;
    }
  }
  return [bestStart * binUs, (bestStart + width) * binUs];
}

export function summarize(
  profile: Profile,
  opts: { window?: number; from?: number; to?: number; callers?: string; depth?: number } = {},
): Summary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === IDLE).map((n) => n.id));
  const window: [number, number] =
    opts.from !== undefined || opts.to !== undefined
      ? [(opts.from ?? 0) * 1e6, (opts.to ?? Infinity) * 1e6]
      : busiestWindow(profile, opts.window ?? 10, idleIds);
  const { at, dur } = timeline(profile);
  const summary: Summary = {
    windowUs: window,
    totalUs: 0,
    idleUs: 0,
    busyUs: 0,
    selfByModule: new Map(),
    inclusiveByModule: new Map(),
    selfByFunction: new Map(),
    inclusiveByFunction: new Map(),
    callers: new Map(),
  };
  // Stacks repeat: their module and function sets are computed once per node.
  const stackCache = new Map<number, { modules: string[]; functions: string[]; path: string[] }>();
  const stackOf = (id: number): { modules: string[]; functions: string[]; path: string[] } => {
    const cached = stackCache.get(id);
    if (cached !== undefined) return cached;
    const modules = new Set<string>();
    const functions = new Set<string>();
    const path: string[] = [];
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = (byId.get(n) as ProfileNode).callFrame;
      if (frame.functionName === '(root)') break;
      modules.add(moduleOf(frame));
      functions.add(functionKey(frame));
      path.push(functionKey(frame));
    }
    const entry = { modules: [...modules], functions: [...functions], path };
    stackCache.set(id, entry);
    return entry;
  };
  const needle = opts.callers?.toLowerCase();
  const depth = opts.depth ?? 4;
  for (let i = 0; i < profile.samples.length; i++) {
    const t = at[i] as number;
    if (t < window[0] || t >= window[1]) continue;
    const id = profile.samples[i] as number;
    const us = dur[i] as number;
    summary.totalUs += us;
    if (idleIds.has(id)) {
      summary.idleUs += us;
      continue;
    }
    summary.busyUs += us;
    const frame = (byId.get(id) as ProfileNode).callFrame;
    add(summary.selfByModule, moduleOf(frame), us);
    add(summary.selfByFunction, functionKey(frame), us);
    const stack = stackOf(id);
    for (const m of stack.modules) add(summary.inclusiveByModule, m, us);
    for (const f of stack.functions) add(summary.inclusiveByFunction, f, us);
    if (needle !== undefined) {
      const at = stack.path.findIndex((f) => f.toLowerCase().includes(needle));
      if (at >= 0) add(summary.callers, stack.path.slice(at, at + depth).join(' ← '), us);
    }
  }
  return summary;
}

function table(title: string, map: Map<string, number>, s: Summary, top: number, calls: number | undefined): string {
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`${title}:`];
  for (const [key, us] of rows) {
    const perCall = calls ? `  ${(us / calls).toFixed(1).padStart(7)} µs/call` : '';
    lines.push(
      `  ${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / s.busyUs).toFixed(1).padStart(5)}%${perCall}  ${key}`,
    );
  }
  return lines.join('\n');
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !(args[i - 1] ?? '').startsWith('--'));
  if (file === undefined || args.includes('--help')) {
    console.log(
      'usage: npx tsx bench/cpu-profile.ts FILE.cpuprofile [--window S | --from S --to S] [--top 25] [--calls N] [--callers TEXT] [--depth 4]',
    );
    process.exit(file === undefined ? 1 : 0);
  }
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const top = num('top') ?? 25;
  const calls = num('calls');
  const s = summarize(profile, {
    window: num('window'),
    from: num('from'),
    to: num('to'),
    callers: arg('callers'),
    depth: num('depth'),
  });
  const sec = (us: number): string => (us / 1e6).toFixed(1);
  const perCall = calls ? `, ${(s.busyUs / calls).toFixed(1)} µs/call` : '';
  console.log(
    `${file}: window ${sec(s.windowUs[0])}–${sec(Math.min(s.windowUs[1], profile.endTime - profile.startTime))} s of ${sec(profile.endTime - profile.startTime)} s; ` +
      `sampled ${(s.totalUs / 1000).toFixed(0)} ms, busy ${(s.busyUs / 1000).toFixed(0)} ms (${((100 * s.busyUs) / s.totalUs).toFixed(1)}%)${perCall}`,
  );
  console.log(table('self time by module', s.selfByModule, s, top, calls));
  console.log(table('inclusive time by module (on the stack)', s.inclusiveByModule, s, top, calls));
  console.log(table('self time by function', s.selfByFunction, s, top, calls));
  console.log(table('inclusive time by function', s.inclusiveByFunction, s, top, calls));
  if (s.callers.size > 0) console.log(table(`call paths of "${arg('callers')}"`, s.callers, s, top, calls));
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) main();
