/**
 * What one hostile log line costs the collector's matcher, for the worst shapes the safe
 * subset still accepts (one wide repeat with narrow choices up to MAX_COST) and some it
 * refuses, at the line cut used (MATCH_CHARS) and, for the accepted ones, at twice it: the
 * figures behind MAX_COST, MAX_VARIABLE and MATCH_CHARS (logs-pattern.ts).
 */
import { compileLogPattern, lineMatches, logPatternProblem, MATCH_CHARS } from '../client-script/src/logs-pattern.js';

const WORST: ReadonlyArray<readonly [string, string]> = [
  ['Out of memory|I/O error', 'a'],
  ['.*=', 'a'],
  ['x{0,99}.*=', 'x'],
  [`${'a?'.repeat(6)}.*b`, 'a'],
  [`${'(a|a)'.repeat(6)}.*b`, 'a'],
  [`${'a?'.repeat(8)}${'a'.repeat(8)}b`, 'a'],
  ['\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3} .*refused', '1'],
  ['.*.*=', 'a'],
  ['.*aaaa.*b', 'a'],
  [`${'x{0,16}'.repeat(4)}y`, 'x'],
  [`${'a?'.repeat(16)}${'a'.repeat(16)}b`, 'a'],
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

console.log(`one line of a repeated character, as the collector cuts it (MATCH_CHARS=${MATCH_CHARS}) and, when accepted, twice as long`);
console.log('pattern'.padEnd(44), `${MATCH_CHARS} chars`.padStart(12), `${2 * MATCH_CHARS} chars`.padStart(12), '  accepted');
for (const [source, fill] of WORST) {
  const pattern = compileLogPattern(source, false);
  const problem = logPatternProblem(source);
  const cut = msFor({ test: (line: string) => lineMatches(pattern, line) } as RegExp, fill.repeat(2 * MATCH_CHARS));
  const long = problem ? '' : `${msFor(pattern, fill.repeat(2 * MATCH_CHARS)).toFixed(2)} ms`;
  console.log(source.padEnd(44), `${cut.toFixed(2)} ms`.padStart(12), long.padStart(12), problem ? `  no: ${problem.slice(0, 30)}` : '  yes');
}
