// Reads the .cpuprofile files `node --cpu-prof` wrote and tells where the time goes: self time per source file
// (the project's files by path, packages by name, Node internals and the garbage collector as such).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type ProfileNode = {
  id: number;
  callFrame: { url: string; functionName: string };
  hitCount?: number;
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; startTime: number; samples?: number[]; timeDeltas?: number[] };

/** Monotonic microseconds (CLOCK_MONOTONIC, the clock of V8's profile timestamps on Linux). */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export type Window = { start: number; end: number };

/** Where a sample's time belongs: `src/runtime/runtime.ts`, `pkg:ioredis`, `node:internal`, `(gc)`... */
export function placeOf(node: ProfileNode, root: string): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (pkg) return `pkg:${pkg[1]}`;
  return path.relative(root, file);
}

/** Node internals and native code count for the nearest project file or package that called them. */
function owner(node: ProfileNode, parents: Map<number, ProfileNode>, root: string): string {
  const own = placeOf(node, root);
  if (own !== 'node:internal' && own !== '(native)') return own;
  for (let up = parents.get(node.id); up; up = parents.get(up.id)) {
    const place = placeOf(up, root);
    if (place !== 'node:internal' && place !== '(native)' && place !== '(root)') return `${place} (via Node)`;
  }
  return own;
}

/**
 * Self time per place over every profile in `dir`, as a table of the top `top` places. `windows`: per process id,
 * the time to count (e.g. the measured load, not the start-up).
 */
export function summariseProfiles(dir: string, root: string, windows?: Map<number, Window>, top = 20): string {
  const self = new Map<string, number>();
  let total = 0;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, ProfileNode>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n);
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    const window = windows?.get(Number(name.split('.')[3]));
    let at = profile.startTime;
    samples.forEach((id, i) => {
      const us = deltas[i] ?? 0;
      at += us;
      if (window && (at < window.start || at > window.end)) return;
      const node = byId.get(id);
      if (!node) return;
      const place = owner(node, parents, root);
      if (place === '(idle)') return;
      self.set(place, (self.get(place) ?? 0) + us);
      total += us;
    });
  }
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = rows.map(([place, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${place}`);
  return [`CPU profile (${(total / 1e6).toFixed(1)} s sampled), self time by file:`, ...lines].join('\n');
}

// Run alone: node --import tsx bench/cpu-profile.ts DIR
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2]) {
  console.log(summariseProfiles(process.argv[2], path.resolve(import.meta.dirname, '..')));
}
