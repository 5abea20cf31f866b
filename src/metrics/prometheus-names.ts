/**
 * Metric and label names as Prometheus sees them, shared by `/metrics` (src/serve) and remote
 * write (src/remote-write) so that a Prometheus fed by both sees one spelling of each series.
 */

const NAME_OK = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_OK = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Time counters kept in other units than seconds, which Prometheus wants (the value is scaled too). */
const IN_SECONDS: ReadonlyArray<{ readonly suffix: RegExp; readonly scale: number }> = [
  { suffix: /_ms_total$/, scale: 1e-3 },
  { suffix: /_usec_total$/, scale: 1e-6 },
];

/**
 * Names Prometheus' conventions (and `promtool check metrics`) reject, renamed: units spelled
 * out (`_sec` → `_seconds`, `_per_sec` → `_per_second`), time counters in base units
 * (`disk_io_ms_total` → `disk_io_seconds_total`, values scaled by exposedScale), `_total` kept
 * for counters (`procs_total`, a gauge, → `procs_all`).
 */
export function exposedName(metric: string): string {
  if (metric === 'procs_total') return 'procs_all';
  let name = metric.replace(/_per_sec$/, '_per_second').replace(/_sec$/, '_seconds');
  for (const unit of IN_SECONDS) name = name.replace(unit.suffix, '_seconds_total');
  return metricName(name);
}

/** What a stored value is multiplied by as exposedName's metric: 1 but for time counters not in seconds. */
export function exposedScale(metric: string): number {
  for (const unit of IN_SECONDS) if (unit.suffix.test(metric)) return unit.scale;
  return 1;
}

/** A metric name in the format's alphabet: other characters become `_`, a leading digit gets a `_` before it. */
export function metricName(name: string): string {
  if (NAME_OK.test(name)) return name;
  const replaced = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(replaced) ? replaced : `_${replaced}`;
}

/** A label name in the format's alphabet; names beginning `__` are Prometheus' own, so they get a prefix. */
export function labelName(name: string): string {
  let out = LABEL_OK.test(name) ? name : name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(out)) out = `_${out}`;
  return out.startsWith('__') ? `label${out}` : out;
}
