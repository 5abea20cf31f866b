// A log's `match` runs on the host, in the collector, on lines anyone who can write to the
// log chose. Node 12's regular expressions backtrack and cannot be interrupted, so a pattern
// like (a+)+$ would let one hostile line stall the collector for hours. Only a subset is
// accepted, one whose worst case on a line is bounded and small:
//   - no backreferences (\1, \k<name>) and no lookaround ((?=, (?!, (?<=, (?<!);
//   - no repeated group: a quantifier after ")" other than "?" (so no (a+)+, (a|aa)*);
//   - lines are cut to MATCH_CHARS before matching;
//   - the backtracking bound: a match tried at each of the n = MATCH_CHARS starts can go
//     through at most the product of the choices of every choice point: a variable quantifier
//     (max > min: ?, *, +, {n,m}) has min(max, n) - min + 1, a group or the whole pattern with
//     b alternatives has b. That product times n is kept under MAX_COST, and there are at most
//     MAX_VARIABLE variable quantifiers (a long chain of small ones costs more per choice).
// MAX_COST is one wide repeat (.*, \d+, [^ ]*) with up to a hundred-fold of narrow choices
// ((a|b), \d{1,3}, x?): `npm run bench:log-patterns` measures the worst accepted shapes on one
// hostile 512-character line. Two wide repeats (".*.*=", 56 ms; ".*aaaa.*b", 97 ms) and chains
// like x{0,16} x5 (33 s) or a? x20 (0.66 s, doubling per a?) are refused.

/** Variable quantifiers allowed in one pattern. */
export const MAX_VARIABLE = 8;
export const MAX_REPEAT = 1000;
/** Only the first this many characters of a line are matched. */
export const MATCH_CHARS = 512;

const MAX_PATTERN_LENGTH = 512;
/** Ways to try a line the backtracking may go through: n starts x one wide repeat x 100. */
export const MAX_COST = MATCH_CHARS * (MATCH_CHARS + 1) * 100;

/** Why a pattern is refused, or undefined when it compiles and keeps to the safe subset. */
export function logPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (err) {
    return `is not a regular expression (${err instanceof Error ? err.message : String(err)})`;
  }
  let variable = 0;
  let cost = MATCH_CHARS;
  /** Alternatives counted so far in each open group; the first entry is the whole pattern. */
  const branches = [1];
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
    if (c === '(') {
      branches.push(1);
      // "(?:" and "(?<name>" are groups too; their "?" is not a quantifier.
      if (pattern.charAt(i + 1) === '?') i++;
      continue;
    }
    if (c === '|') {
      branches[branches.length - 1]!++;
      continue;
    }
    if (c === ')') {
      cost *= branches.pop() || 1;
      continue;
    }
    const quantifier = quantifierAt(pattern, i);
    if (quantifier === undefined) continue;
    if (quantifier.max > MAX_REPEAT && quantifier.max !== Infinity) return `repeats more than ${MAX_REPEAT} times ({n,m} with m over ${MAX_REPEAT})`;
    if (pattern.charAt(i - 1) === ')' && !(quantifier.min === 0 && quantifier.max === 1)) {
      return 'repeats a group ("(...)*", "(...)+", "(...){n,m}"), which can take exponential time on a hostile line; repeat single characters or classes instead';
    }
    if (quantifier.max > quantifier.min) {
      variable++;
      cost *= Math.min(quantifier.max, MATCH_CHARS) - Math.min(quantifier.min, MATCH_CHARS) + 1;
    }
    i += quantifier.length - 1;
    // A lazy mark after a quantifier is part of it.
    if (pattern.charAt(i + 1) === '?') i++;
  }
  cost *= branches[0] || 1;
  if (variable > MAX_VARIABLE) return `has more than ${MAX_VARIABLE} variable repeats (?, *, +, {n,m}), which can take very long on a hostile line`;
  if (cost > MAX_COST) {
    return `can take too long on a hostile line (its repeats and alternatives allow ~${cost.toExponential(1)} tries on a ${MATCH_CHARS}-character line, at most ${MAX_COST.toExponential(1)}): use at most one wide repeat (*, +, {n,}) and few narrow ones (?, {n,m}, (a|b))`;
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
