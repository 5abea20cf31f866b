// A log's `match` runs on the host, in the collector, on lines anyone who can write to the
// log chose. Node 12's regular expressions backtrack and cannot be interrupted, so a pattern
// like (a+)+$ would let one hostile line stall the collector for hours. Only a subset is
// accepted, the one whose cost stays polynomial and small on a capped line:
//   - no backreferences (\1, \k<name>) and no lookaround ((?=, (?!, (?<=, (?<!);
//   - no repeated group: a quantifier after ")" other than "?" (so no (a+)+, (a|aa)*);
//   - at most MAX_WIDE wide repeats in the whole pattern: unbounded ones (*, +, {n,}) and
//     {n,m} with m over MAX_NARROW; none over MAX_REPEAT;
//   - lines are cut to MATCH_CHARS before matching.
// That leaves what log patterns are made of: words, alternatives, classes, ".*" between words.
// Two wide repeats can still cost a cube of the line's length: `npm run bench:log-patterns`
// (Node 20, a loaded machine) has ".*.*=" at ~0.2 s on 512 "a"s and ~1 s on 1024, so
// lines are matched on their first 512 characters, and the follower stops matching for the
// poll once its time is up (logs-follow.ts).

export const MAX_WIDE = 2;
export const MAX_NARROW = 16;
export const MAX_REPEAT = 1000;
/** Only the first this many characters of a line are matched. */
export const MATCH_CHARS = 512;

const MAX_PATTERN_LENGTH = 512;

/** Why a pattern is refused, or undefined when it compiles and keeps to the safe subset. */
export function logPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (err) {
    return `is not a regular expression (${err instanceof Error ? err.message : String(err)})`;
  }
  let wide = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'uses a backreference (\\1, \\k<name>), which can take exponential time';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // A "]" right after "[" or "[^" is a literal in the class.
      if (pattern.charAt(i + 1) === '^') i++;
      if (pattern.charAt(i + 1) === ']') i++;
      continue;
    }
    if (c === '(' && /^\(\?<?[=!]/.test(pattern.slice(i, i + 4))) return 'uses lookaround ((?=, (?!, (?<=, (?<!), which is not allowed in log patterns';
    const quantifier = quantifierAt(pattern, i);
    if (quantifier === undefined) continue;
    if (quantifier.max > MAX_REPEAT && quantifier.max !== Infinity) return `repeats more than ${MAX_REPEAT} times ({n,m} with m over ${MAX_REPEAT})`;
    if (pattern.charAt(i - 1) === ')' && !(quantifier.min === 0 && quantifier.max === 1)) {
      return 'repeats a group ("(...)*", "(...)+", "(...){n,m}"), which can take exponential time on a hostile line; repeat single characters or classes instead';
    }
    if (quantifier.max > MAX_NARROW) wide++;
    if (wide > MAX_WIDE) return `has more than ${MAX_WIDE} wide repeats (*, +, {n,}, {n,m} with m over ${MAX_NARROW}), which can take very long on a hostile line`;
    i += quantifier.length - 1;
    // A lazy mark after a quantifier is part of it.
    if (pattern.charAt(i + 1) === '?') i++;
  }
  return undefined;
}

interface Quantifier {
  readonly min: number;
  readonly max: number;
  readonly length: number;
}

function quantifierAt(pattern: string, i: number): Quantifier | undefined {
  const c = pattern.charAt(i);
  if (c === '*') return { min: 0, max: Infinity, length: 1 };
  if (c === '+') return { min: 1, max: Infinity, length: 1 };
  if (c === '?') return { min: 0, max: 1, length: 1 };
  if (c !== '{') return undefined;
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (braces === null) return undefined;
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
  return { min, max, length: braces[0].length };
}

/** The pattern as the collector runs it; call only on a pattern logPatternProblem accepted. */
export function compileLogPattern(pattern: string, ignoreCase: boolean): RegExp {
  return new RegExp(pattern, ignoreCase ? 'i' : '');
}

/** Whether a line matches, looking at its first MATCH_CHARS characters only. */
export function lineMatches(pattern: RegExp, line: string): boolean {
  return pattern.test(line.length > MATCH_CHARS ? line.slice(0, MATCH_CHARS) : line);
}
