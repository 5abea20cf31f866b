import type { Sample } from '../../client-script/src/protocol.js';
import { POLLER_HOST } from '../alerts/self-monitoring.js';
import { metricInfo } from '../metrics/catalog.js';
import type { ApiContext } from './api.js';
import { exposedName, Exposer, promType, type HostBlock, type HostLatest, type OwnFigure } from './exposition.js';

/** A host's block and the polls it was made from. */
interface Kept {
  readonly key: string;
  readonly block: HostBlock;
}

/**
 * `/metrics`: every configured host's latest samples (those of its latest good poll; `host_up`
 * and `poll_duration_seconds` from its latest poll, good or not), each with the time it was
 * taken, then metrix's own figures. Each host's lines are kept until its latest poll or latest
 * good poll changes: after a commit that polled no host (a silence, a user) the page is only
 * put together again, and a run that polled some hosts costs only theirs.
 */
export class MetricsPage {
  private readonly exposer = new Exposer();
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly ctx: ApiContext) {}

  /** The page, UTF-8. */
  bytes(): Buffer {
    const { store, config } = this.ctx;
    const names = config.hosts.map((h) => h.name);
    const polls = store.lastPolls(names);
    const keyOf = (host: string): string => {
      const p = polls.get(host);
      return `${p?.last?.ts}|${p?.last?.ok}|${p?.lastOk?.ts}`;
    };
    const stale = config.hosts.filter((host) => this.kept.get(host.name)?.key !== keyOf(host.name));
    if (stale.length > 0) {
      for (const latest of latestSamples(this.ctx, stale, polls)) this.kept.set(latest.host, { key: keyOf(latest.host), block: this.exposer.hostBlock(latest) });
    }
    return this.exposer.assemble(
      config.hosts.map((host) => this.kept.get(host.name)!.block),
      ownFigures(this.ctx, polls),
    );
  }
}

/** The samples /metrics shows of these hosts (see MetricsPage). */
function latestSamples(ctx: ApiContext, hosts: ApiContext['config']['hosts'], polls: ReturnType<ApiContext['store']['lastPolls']>): HostLatest[] {
  const { store } = ctx;
  const at = (pick: 'last' | 'lastOk') => hosts.flatMap(({ name: host }) => {
    const ts = polls.get(host)?.[pick]?.ts;
    return ts === undefined ? [] : [{ host, ts }];
  });
  const good = store.samplesAt(at('lastOk'));
  const latest = store.samplesAt(at('last').filter(({ host }) => !polls.get(host)!.last!.ok));
  return hosts.map((host) => {
    const okTs = polls.get(host.name)?.lastOk?.ts ?? 0;
    const failedTs = polls.get(host.name)?.last?.ts ?? 0;
    const failed = latest.get(host.name) ?? [];
    const overridden = new Set(failed.map((s) => s.m));
    const samples: Array<HostLatest['samples'][number]> = [];
    for (const s of good.get(host.name) ?? []) if (!overridden.has(s.m)) samples.push({ m: s.m, v: s.v, l: s.l, ts: okTs });
    for (const s of failed) samples.push({ m: s.m, v: s.v, l: s.l, ts: failedTs });
    // Counters read before the poll ended are left out by samplesAt; they come with the time the host read them.
    const have = new Set(samples.map((s) => s.m));
    const counters = okTs > 0 ? store.lastCounters(host.name) : undefined;
    for (const counter of counters?.counters ?? []) if (!have.has(counter.m)) samples.push({ ...counter, ts: counters!.ts });
    return { host: host.name, groups: host.groups, samples };
  });
}

function ownFigures(ctx: ApiContext, polls: ReturnType<ApiContext['store']['lastPolls']>): OwnFigure[] {
  const { store } = ctx;
  const figures: OwnFigure[] = [];
  const run = store.web.lastRun();
  if (run) {
    figures.push(
      { name: 'metrix_last_run_timestamp_seconds', type: 'gauge', help: 'when the latest run (execute or a cycle of run) finished, Unix seconds', series: [{ labels: {}, value: run.finishedAt / 1000 }] },
      { name: 'metrix_last_run_duration_seconds', type: 'gauge', help: 'wall time of the latest run, seconds', series: [{ labels: {}, value: (run.finishedAt - run.startedAt) / 1000 }] },
      {
        name: 'metrix_last_run_hosts',
        type: 'gauge',
        help: 'hosts the latest run polled, by result',
        series: [{ labels: { result: 'ok' }, value: run.ok }, { labels: { result: 'failed' }, value: run.failed }],
      },
    );
  }
  const reasons = new Map<string, number>();
  const states = { up: 0, down: 0, 'never polled': 0 };
  for (const host of ctx.config.hosts) {
    const last = polls.get(host.name)?.last;
    if (!last) states['never polled']++;
    else if (last.ok) states.up++;
    else {
      states.down++;
      reasons.set(last.reason ?? 'unknown', (reasons.get(last.reason ?? 'unknown') ?? 0) + 1);
    }
  }
  figures.push(
    { name: 'metrix_hosts', type: 'gauge', help: 'configured hosts by the state of their latest poll', series: Object.entries(states).map(([state, value]) => ({ labels: { state }, value })) },
    { name: 'metrix_hosts_down', type: 'gauge', help: 'hosts whose latest poll failed, by reason', series: [...reasons].map(([reason, value]) => ({ labels: { reason }, value })) },
    { name: 'metrix_outbox_messages', type: 'gauge', help: 'mail waiting in the outbox (not sent, not given up)', series: [{ labels: {}, value: store.web.outboxDepth() }] },
  );
  // metrix's own samples (stored for the pseudo-host "(metrix)" after each run), their latest values.
  const since = (run?.startedAt ?? ctx.clock()) - 3_600_000;
  for (const metric of store.metricsOf(POLLER_HOST)) {
    const series = store.range({ host: POLLER_HOST, metric, since, until: ctx.clock() }).flatMap((s): Array<{ labels: Sample['l'] & object; value: number }> => {
      const last = s.points[s.points.length - 1];
      return last ? [{ labels: s.labels, value: last.value }] : [];
    });
    const name = exposedName(metric);
    figures.push({ name, type: promType(metric, name), help: metricInfo(metric)?.help ?? metric, series });
  }
  return figures;
}
