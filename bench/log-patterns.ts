/**
 * What one hostile log line costs the collector's matcher, for the worst patterns the safe
 * subset still accepts (two wide repeats that overlap), at the line cut used (MATCH_CHARS)
 * and at twice it: the figure behind MATCH_CHARS and the per-poll matching budget.
 */
import { compileLogPattern, lineMatches, logPatternProblem, MATCH_CHARS } from '../client-script/src/logs-pattern.js';

const WORST: ReadonlyArray<readonly [string, string]> = [
  ['.*.*=', 'a'],
  ['[a-z]+[a-z]+!', 'a'],
  ['a{0,500}a{0,500}!', 'a'],
  ['\\s+\\S+x', ' '],
  ['Out of memory|I/O error', 'a'],
];

function msFor(pattern: RegExp, line: string): number {
  // The first run compiles the pattern; the figure is the best of three after it.
  pattern.test(line);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    pattern.test(line);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

console.log(`one line of a repeated character, matched in full (x1) and as the collector cuts it (MATCH_CHARS=${MATCH_CHARS})`);
console.log('pattern'.padEnd(28), `${2 * MATCH_CHARS} chars`.padStart(12), `${MATCH_CHARS} chars`.padStart(12), '  accepted');
for (const [source, fill] of WORST) {
  const pattern = compileLogPattern(source, false);
  const long = msFor(pattern, fill.repeat(2 * MATCH_CHARS));
  const cut = msFor({ test: (line: string) => lineMatches(pattern, line) } as RegExp, fill.repeat(2 * MATCH_CHARS));
  const problem = logPatternProblem(source);
  console.log(source.padEnd(28), `${long.toFixed(2)} ms`.padStart(12), `${cut.toFixed(2)} ms`.padStart(12), problem ? `  no: ${problem.slice(0, 40)}` : '  yes');
}
