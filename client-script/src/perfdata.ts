// Output of a Nagios-compatible plugin, as the Monitoring Plugins development guidelines
// (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Output" and "Performance
// data") lay it out:
//   TEXT | PERFDATA
//   LONG TEXT LINE 1
//   LONG TEXT LINE 2 | PERFDATA
//   PERFDATA
// perfdata is a space-separated list of 'label'=value[UOM];[warn];[crit];[min];[max]; a label
// with spaces is quoted in single quotes, and '' inside stands for one quote. Pure: no I/O.

/** One performance value, converted to its base unit (seconds, bytes, percent, a count). */
export interface PerfItem {
  readonly label: string;
  readonly value: number;
}

export interface PluginOutput {
  /** The first line's text, before any "|": what a mail shows. */
  readonly text: string;
  readonly perf: PerfItem[];
  /** Perfdata items that were not well-formed (or had a unit we do not know) and were left out. */
  readonly skipped: number;
}

/**
 * Units and the factor to their base unit. The guidelines name s, ms, us, %, B, KB, MB, TB, c
 * without saying 1000 or 1024; the plugins of Debian's monitoring-plugins (check_disk,
 * check_swap) count a KB as 1024 bytes, so metrix does too. GB is accepted beside them, and
 * the byte prefixes are read in any case ("kB" from Perl plugins).
 */
const EXACT_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, ms: 1e-3, us: 1e-6, '%': 1, c: 1, B: 1 };
const BYTE_UNITS: Readonly<Record<string, number>> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const own = (table: Readonly<Record<string, number>>, key: string): number | undefined =>
  Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

const VALUE = /^([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$/;

/** Most perfdata items kept from one output; the rest count as skipped. */
export const MAX_PERF_ITEMS = 50;
export const MAX_LABEL_LENGTH = 128;

function unitFactor(uom: string): number | undefined {
  const exact = own(EXACT_UNITS, uom);
  return exact !== undefined ? exact : own(BYTE_UNITS, uom.toLowerCase());
}

/** Parses one `value[UOM]` field into its base unit; undefined when malformed or of an unknown unit. */
export function parsePerfValue(field: string): number | undefined {
  const match = VALUE.exec(field);
  if (match === null) return undefined;
  const factor = unitFactor(match[2]!);
  if (factor === undefined) return undefined;
  const value = Number(match[1]) * factor;
  return Number.isFinite(value) ? value : undefined;
}

/** Splits perfdata text into its items; a malformed item is skipped and parsing goes on after it. */
export function parsePerfdata(text: string): { perf: PerfItem[]; skipped: number } {
  const perf: PerfItem[] = [];
  let skipped = 0;
  let i = 0;
  const n = text.length;
  const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(text.charAt(i))) i++;
    if (i >= n) break;
    let label = '';
    let good = true;
    if (text.charAt(i) === "'") {
      i++;
      let closed = false;
      while (i < n) {
        const c = text.charAt(i);
        if (c === "'" && text.charAt(i + 1) === "'") {
          label += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          closed = true;
          break;
        } else {
          label += c;
          i++;
        }
      }
      if (!closed || text.charAt(i) !== '=') good = false;
    } else {
      const start = i;
      while (i < n && text.charAt(i) !== '=' && !isSpace(text.charAt(i))) i++;
      label = text.slice(start, i);
      if (text.charAt(i) !== '=') good = false;
    }
    // The rest of the item runs to the next whitespace.
    const start = i + 1;
    while (i < n && !isSpace(text.charAt(i))) i++;
    const value = good ? parsePerfValue(text.slice(start, i).split(';')[0]!) : undefined;
    if (!good || value === undefined || label === '' || label.length > MAX_LABEL_LENGTH || /[\u0000-\u001f\u007f=]/.test(label) || perf.length >= MAX_PERF_ITEMS) skipped++;
    else perf.push({ label, value });
  }
  return { perf, skipped };
}

/** Splits a plugin's whole stdout into its first-line text and its parsed perfdata. */
export function parsePluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  const first = lines[0]!;
  const bar = first.indexOf('|');
  const text = (bar < 0 ? first : first.slice(0, bar)).trim();
  const perfTexts: string[] = bar < 0 ? [] : [first.slice(bar + 1)];
  // Long text runs until the first "|" on a later line; everything after it is perfdata.
  for (let k = 1; k < lines.length; k++) {
    const at = lines[k]!.indexOf('|');
    if (at < 0) continue;
    perfTexts.push(lines[k]!.slice(at + 1), ...lines.slice(k + 1));
    break;
  }
  const parsed = parsePerfdata(perfTexts.join(' '));
  return { text, perf: parsed.perf, skipped: parsed.skipped };
}
