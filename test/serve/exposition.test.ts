import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/metrics/catalog.js';
import { exposedName, exposition, labelName, metricName } from '../../src/serve/exposition.js';

/** Runs the real promtool on the text; its complaints, empty when none. */
function promtool(text: string): string {
  try {
    execFileSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, stdio: 'pipe', timeout: 60_000 });
    return '';
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` || String(err);
  }
}

const TS = Date.parse('2026-11-22T08:00:00Z');

describe('Prometheus exposition of hosts\' latest samples', () => {
  it('every metric of the catalog, two hosts, hostile label values: promtool finds nothing', () => {
    const samples = METRICS.map((m) => ({ m: m.name, v: 1.5, ts: TS, l: Object.fromEntries(m.labels.map((l) => [l, 'a"b\\c\nd'])) }));
    const text = exposition(
      [
        { host: 'f4', groups: ['compute', 'gpu'], samples },
        { host: 'evil"} 1\nforged_metric{x="', groups: [], samples },
      ],
      [{ name: 'metrix_outbox_messages', help: 'mail waiting', type: 'gauge', series: [{ labels: {}, value: 0 }] }],
    );
    expect(promtool(text)).toBe('');
    expect(text).not.toMatch(/^forged_metric/m);
    expect(text).toContain('host="evil\\"} 1\\nforged_metric{x=\\""');
    expect(text).toContain('cpu_percent{host="f4",group="compute,gpu"} 1.5 1795334400000');
    expect(text).toContain('metrix_host_group_info{host="f4",group="gpu"} 1');
  });

  it('hostile metric and label names are sanitized; a metric label named host or group is kept as exported_*', () => {
    const text = exposition(
      [{ host: 'f4', groups: ['g'], samples: [{ m: '9bad-name.x', v: NaN, ts: TS, l: { host: 'other', group: 'x', 'bad-label': 'v', __name__: 'z' } }, { m: 'check_status', v: Infinity, ts: TS }] }],
      [],
    );
    expect(promtool(text)).toBe('');
    expect(text).toContain('_9bad_name_x{host="f4",group="g",label__name__="z",bad_label="v",exported_group="x",exported_host="other"} NaN');
    expect(text).toContain('check_status{host="f4",group="g"} +Inf');
  });

  it('names: format alphabet, units spelled out, counters keep _total', () => {
    expect(metricName('a.b-c')).toBe('a_b_c');
    expect(labelName('__x')).toBe('label__x');
    expect(exposedName('uptime_sec')).toBe('uptime_seconds');
    expect(exposedName('net_rx_bytes_per_sec')).toBe('net_rx_bytes_per_second');
    expect(exposedName('procs_total')).toBe('procs_all');
    expect(exposedName('net_rx_bytes_total')).toBe('net_rx_bytes_total');
  });

  it('time counters kept in ms or µs are exposed in seconds, name and value', () => {
    const text = exposition(
      [{ host: 'f4', groups: [], samples: [{ m: 'disk_io_ms_total', v: 2500, ts: TS, l: { device: 'sda' } }, { m: 'pressure_some_usec_total', v: 3_000_000, ts: TS, l: { resource: 'io' } }] }],
      [],
    );
    expect(promtool(text)).toBe('');
    expect(text).toContain(`disk_io_seconds_total{host="f4",device="sda"} 2.5 ${TS}`);
    expect(text).toContain(`pressure_some_seconds_total{host="f4",resource="io"} 3 ${TS}`);
    expect(text).toMatch(/# TYPE disk_io_seconds_total counter/);
  });
});
