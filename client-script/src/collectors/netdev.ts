import { readdirSync, readlinkSync } from 'fs';
import { join } from 'path';
import type { Sample } from '../protocol.js';
import { optionalCount, readings, readProcFile, sample, toCount, type Collector } from './collector.js';

export interface NetDevice {
  readonly iface: string;
  readonly rxBytes: number;
  readonly txBytes: number;
  /** Packets in error and packets dropped each way; a field the line lacks or garbles is undefined. */
  readonly rxErrors: number | undefined;
  readonly rxDrops: number | undefined;
  readonly txErrors: number | undefined;
  readonly txDrops: number | undefined;
}

// Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs drop ...
const RX_BYTES = 0;
const RX_ERRS = 2;
const RX_DROP = 3;
const TX_BYTES = 8;
const TX_ERRS = 10;
const TX_DROP = 11;

export function readNetDev(procRoot: string): string {
  return readProcFile(procRoot, 'net/dev');
}

/**
 * Where each interface's /sys/class/net entry points, e.g. "../../devices/virtual/net/lo".
 * An interface missing from the map (no /sys, or no entry for it) falls back to the name rule.
 */
export function readInterfaceLinks(sysRoot: string): Map<string, string> {
  const dir = join(sysRoot, 'class/net');
  const links = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return links;
  }
  for (const name of names) {
    try {
      links.set(name, readlinkSync(join(dir, name)));
    } catch {
      // Not a symlink (very old sysfs): leave it to the name rule.
    }
  }
  return links;
}

/** Parses /proc/net/dev: two header lines, then "  eth0: rx_bytes rx_packets ... tx_bytes ...". */
export function parseNetDev(text: string): NetDevice[] {
  const devices: NetDevice[] = [];
  for (const line of text.split('\n').slice(2)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`bad /proc/net/dev line: ${JSON.stringify(line)}`);
    const iface = line.slice(0, colon).trim();
    // Old kernels print large counters flush against the colon ("eth0:170868537"), hence the split here.
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    devices.push({
      iface,
      rxBytes: toCount(fields[RX_BYTES], `${iface} rx bytes`),
      txBytes: toCount(fields[TX_BYTES], `${iface} tx bytes`),
      rxErrors: optionalCount(fields[RX_ERRS]),
      rxDrops: optionalCount(fields[RX_DROP]),
      txErrors: optionalCount(fields[TX_ERRS]),
      txDrops: optionalCount(fields[TX_DROP]),
    });
  }
  return devices;
}

// Container and VM plumbing, tunnels and dummies go by these conventional names. Checked
// first, so that flannel.1 (VXLAN) is not taken for a VLAN by the rule below.
const SKIPPED_NAMES = /^(lo$|veth|docker|br-|virbr|cali|flannel|cni|tun|tap|dummy)/;
// Bonds, teams and VLANs (eth0.100, bond0.20, vlan100) live under devices/virtual/ too, but
// on a cluster node they carry the real traffic, so they are kept.
const KEPT_VIRTUAL = /^(bond|team)|\.\d+$|^vlan\d+$/;

/**
 * The interface rule, after node_exporter's usual setup: skip loopback and virtual interfaces
 * (whose /sys/class/net link goes to devices/virtual/), keep bonds, teams and VLANs. When /sys
 * cannot tell (`sysLink` undefined), only the names decide.
 */
export function isSkippedInterface(iface: string, sysLink: string | undefined): boolean {
  if (SKIPPED_NAMES.test(iface)) return true;
  if (KEPT_VIRTUAL.test(iface)) return false;
  return sysLink !== undefined && sysLink.indexOf('devices/virtual/') >= 0;
}

export const netdevCollector: Collector = {
  name: 'netdev',
  readsCounters: true,
  async collect(ctx) {
    const devices = parseNetDev(readNetDev(ctx.procRoot));
    const links = readInterfaceLinks(ctx.sysRoot);
    const counters: Sample[] = [];
    for (const dev of devices) {
      if (isSkippedInterface(dev.iface, links.get(dev.iface))) continue;
      const labels = { iface: dev.iface };
      counters.push(sample('net_rx_bytes_total', dev.rxBytes, labels));
      counters.push(sample('net_tx_bytes_total', dev.txBytes, labels));
      const optional: Array<[string, number | undefined]> = [
        ['net_rx_errors_total', dev.rxErrors], ['net_rx_drops_total', dev.rxDrops],
        ['net_tx_errors_total', dev.txErrors], ['net_tx_drops_total', dev.txDrops],
      ];
      for (const [metric, value] of optional) if (value !== undefined) counters.push(sample(metric, value, labels));
    }
    return readings([], counters);
  },
};
