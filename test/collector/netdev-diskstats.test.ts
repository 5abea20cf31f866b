import { describe, expect, it } from 'vitest';
import { isIgnoredDevice, parseDiskStats } from '../../client-script/src/collectors/diskstats.js';
import { isSkippedInterface, parseNetDev, readInterfaceLinks } from '../../client-script/src/collectors/netdev.js';
import { fixture, FIXTURES } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

const HEADER = 'Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n';

describe('parseNetDev', () => {
  it('reads every interface of the fixture with its rx and tx bytes', () => {
    const devices = parseNetDev(fixture('proc/net/dev'));
    expect(devices.map((d) => d.iface)).toEqual(['lo', 'eth0', 'eth1', 'bond0', 'eth0.100', 'ib0', 'docker0', 'veth1a2b3c', 'virbr0', 'tun0']);
    expect(devices.find((d) => d.iface === 'ib0')).toEqual({ iface: 'ib0', rxBytes: 90000000000, txBytes: 80000000000, rxErrors: 0, rxDrops: 0, txErrors: 0, txDrops: 0 });
  });

  it.each([
    ['counter flush against the colon (old kernels)', `${HEADER}  eth0:4294967295 12 0 0 0 0 0 0 77 3 0 0 0 0 0 0\n`, [{ iface: 'eth0', rxBytes: 4294967295, txBytes: 77, rxErrors: 0, rxDrops: 0, txErrors: 0, txDrops: 0 }]],
    ['no interfaces', HEADER, []],
  ])('%s', (_name, text, expected) => {
    expect(parseNetDev(text)).toEqual(expected);
  });

  it.each([
    ['a line without a colon', `${HEADER}eth0 1 2 3\n`, /bad \/proc\/net\/dev line/],
    ['a truncated line', `${HEADER}eth0: 1 2 3\n`, /bad eth0 tx bytes/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseNetDev(text)).toThrow(message);
  });
});

describe('interface rule', () => {
  const PCI = '../../devices/pci0000:00/0000:00:03.0/net/x';
  const VIRTUAL = '../../devices/virtual/net/x';
  it.each([
    ['lo', VIRTUAL, true],
    ['eth0', PCI, false],
    ['ib0', PCI, false],
    ['docker0', VIRTUAL, true],
    ['veth9f', VIRTUAL, true],
    ['ifb0', VIRTUAL, true],
    ['bond0', VIRTUAL, false],
    ['team1', VIRTUAL, false],
    ['eth0.100', VIRTUAL, false],
    ['bond0.20', VIRTUAL, false],
    ['vlan100', VIRTUAL, false],
    ['flannel.1', VIRTUAL, true],
    ['lo2', PCI, false],
    // Without /sys: names decide.
    ['lo', undefined, true],
    ['veth0abc', undefined, true],
    ['docker0', undefined, true],
    ['br-1a2b', undefined, true],
    ['virbr0', undefined, true],
    ['cali12ab', undefined, true],
    ['flannel.1', undefined, true],
    ['cni0', undefined, true],
    ['tun0', undefined, true],
    ['tap3', undefined, true],
    ['dummy0', undefined, true],
    ['eth0', undefined, false],
    ['enp5s0f1', undefined, false],
    ['ib0', undefined, false],
    ['bond0', undefined, false],
  ])('%s via %s: skipped %s', (iface, link, skipped) => {
    expect(isSkippedInterface(iface, link)).toBe(skipped);
  });

  it('reads the /sys/class/net links of the fixture and nothing from an empty /sys', () => {
    const links = readInterfaceLinks(`${FIXTURES}/sys`);
    expect(links.get('eth0')).toBe('../../devices/pci0000:00/0000:00:03.0/net/eth0');
    expect(links.get('docker0')).toBe('../../devices/virtual/net/docker0');
    expect(links.has('tun0')).toBe(false);
    expect(readInterfaceLinks(tempDir()).size).toBe(0);
  });
});

describe('parseDiskStats', () => {
  it('reads whole disks and partitions of the fixture; sectors are 512 bytes', () => {
    const disks = parseDiskStats(fixture('proc/diskstats'));
    expect(disks).toHaveLength(14);
    expect(disks.find((d) => d.device === 'sda')).toEqual({ device: 'sda', readBytes: 2000000 * 512, writeBytes: 4000000 * 512, ioMs: 98765 });
    expect(disks.find((d) => d.device === 'nvme0n1')).toEqual({ device: 'nvme0n1', readBytes: 80000000 * 512, writeBytes: 120000000 * 512, ioMs: 200000 });
  });

  it.each([
    ['14 fields (kernel < 4.18)', '   8       0 sda 10 0 100 5 20 0 200 9 0 14 14\n', { device: 'sda', readBytes: 51200, writeBytes: 102400, ioMs: 14 }],
    ['a 2.6 partition with 4 counters', '   8       1 sda1 10 100 20 200\n', { device: 'sda1', readBytes: 51200, writeBytes: 102400, ioMs: undefined }],
  ])('%s', (_name, text, expected) => {
    expect(parseDiskStats(text)).toEqual([expected]);
  });

  it.each([
    ['a short line', '   8       0 sda 10 0 100\n', /bad \/proc\/diskstats line/],
    ['a non-number', '   8       0 sda 10 0 lots 5 20 0 200 9 0 14 14\n', /bad sda sectors read/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseDiskStats(text)).toThrow(message);
  });

  it.each([
    ['sda', false], ['sda1', true], ['vdb', false], ['vdb2', true], ['xvda1', true], ['hda3', true],
    ['nvme0n1', false], ['nvme0n1p1', true], ['nvme12n3p45', true],
    ['loop0', true], ['ram0', true], ['zram0', true], ['fd0', true],
    ['dm-0', false], ['md127', false], ['mmcblk0', false], ['sr0', false],
  ])('%s ignored: %s', (device, ignored) => {
    expect(isIgnoredDevice(device)).toBe(ignored);
  });
});
