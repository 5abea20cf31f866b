/**
 * Where the CPU went in V8 profiles (`node --cpu-prof`, e.g. from bench:run --profile or
 * resident-cost --cpu-prof): self time by function and by source (the module a function
 * lives in: a file under src/, a package under node_modules/, node's own internals), each
 * as a share of the profile and, with --per N, in ms per N units of work (host-polls).
 *   node dist/bench/profile-summary.js <file.cpuprofile>... [--top 25] [--per 2000] [--inclusive a,b]
 * --inclusive: time spent in and under the named functions (e.g. openSealed,writeRun), each
 * counted once however deep it recurses. The profile is wall time while not idle: a process
 * that waits for the CPU, or in a blocking call, shows it too (compare with its CPU from /proc).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, per: { type: 'string' }, inclusive: { type: 'string', default: '' } },
  allowPositionals: true,
});

/** A module-sized name for a script URL: package, file under the repo, or node internals. */
function sourceOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(dist\/)?(src|client-script|collector|bench)\/(.*)$/.exec(url);
  return own ? `${own[2]}/${own[3]}` : url;
}

const bySource = new Map<string, number>();
const byFunction = new Map<string, number>();
const inclusiveNames = values.inclusive.split(',').filter((name) => name !== '');
const inclusive = new Map<string, number>(inclusiveNames.map((name) => [name, 0]));
let totalUs = 0;
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    totalUs += us;
    const source = sourceOf(url, functionName);
    bySource.set(source, (bySource.get(source) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${source}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const caller = nodes.get(at)!.callFrame.functionName;
      if (inclusive.has(caller) && !seen.has(caller)) {
        seen.add(caller);
        inclusive.set(caller, inclusive.get(caller)! + us);
      }
    }
  });
}

const per = values.per === undefined ? undefined : Number(values.per);
const line = (label: string, us: number): string =>
  `  ${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms${per ? `  ${(us / 1000 / per).toFixed(3).padStart(7)} ms/unit` : ''}  ${label}`;
const top = (map: Map<string, number>): Array<[string, number]> => [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
console.log(`${positionals.length} profile(s), ${(totalUs / 1000).toFixed(0)} ms not idle${per ? `, ${per} units` : ''}`);
console.log('self time by source:');
for (const [source, us] of top(bySource)) console.log(line(source, us));
console.log('self time by function:');
for (const [name, us] of top(byFunction)) console.log(line(name, us));
if (inclusive.size > 0) {
  console.log('time in and under:');
  for (const [name, us] of inclusive) console.log(line(name, us));
}
