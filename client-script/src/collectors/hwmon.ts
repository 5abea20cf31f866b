import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { CollectorError, Sample } from '../protocol.js';
import { readings, sample, type Collector } from './collector.js';

/**
 * Caps on what one poll reads of /sys/class/hwmon. A hwmon read is a synchronous call into the
 * driver: most answer from a cache in microseconds, but a sensor behind I2C, SMBus or IPMI may
 * take tens of milliseconds. A node has a handful of chips; a 64-core coretemp has 65 sensors.
 */
export const HWMON_LIMITS = {
  chips: 64,
  sensors: 512,
  /** Reading stops once this much time has gone, and says so; what was read still counts. */
  budgetMs: 1000,
} as const;

// Readings outside this range are a disconnected or faulty sensor (e.g. -128 or 255 °C), not heat.
const MIN_MILLI_C = -100000;
const MAX_MILLI_C = 250000;
// The hwmon ABI names chips in [a-z0-9_]; anything else is not used as a label.
const CHIP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ChipTemperature {
  /** The chip's `name` (coretemp, k10temp, nvme, acpitz, drivetemp…). */
  readonly chip: string;
  /** The hottest of its sensors, millidegrees Celsius. */
  readonly maxMilliC: number;
}

export interface HwmonScan {
  readonly chips: ChipTemperature[];
  readonly errors: CollectorError[];
}

const numeric = (a: string, b: string): number => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')) || (a < b ? -1 : a > b ? 1 : 0);

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // A sensor may refuse a read (EIO, ENODATA while its device sleeps): it is passed over.
    return undefined;
  }
}

/** Parses a temp*_input file: whole millidegrees, possibly negative. */
export function parseMilliC(text: string | undefined): number | undefined {
  const trimmed = (text || '').trim();
  if (!/^-?\d{1,9}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value >= MIN_MILLI_C && value <= MAX_MILLI_C ? value : undefined;
}

/**
 * Where a chip's attributes are: in hwmonN itself, or (drivers before Linux 3.x) in hwmonN/device.
 * Returns the directory and its temp*_input files, in sensor order.
 */
function attributesOf(chipDir: string): { dir: string; inputs: string[] } {
  for (const dir of [chipDir, join(chipDir, 'device')]) {
    const names = listDir(dir);
    const inputs = names.filter((n) => /^temp\d+_input$/.test(n)).sort(numeric);
    if (inputs.length > 0 || names.indexOf('name') >= 0) return { dir, inputs };
  }
  return { dir: chipDir, inputs: [] };
}

/**
 * The hottest sensor of each kind of chip, by chip name: two sockets' coretemp or three NVMe
 * drives make one series each, whose labels do not change from boot to boot the way hwmonN
 * numbers may. `now` is a clock in milliseconds for the time budget.
 */
export function scanHwmon(sysRoot: string, now: () => number): HwmonScan {
  const base = join(sysRoot, 'class/hwmon');
  const started = now();
  const hottest = new Map<string, number>();
  const errors: CollectorError[] = [];
  const chips = listDir(base).filter((n) => /^hwmon\d+$/.test(n)).sort(numeric);
  if (chips.length > HWMON_LIMITS.chips) {
    errors.push({ collector: 'hwmon', message: `${chips.length} hwmon chips, only the first ${HWMON_LIMITS.chips} read` });
  }
  let reads = 0;
  let stopped = false;
  for (const chipName of chips.slice(0, HWMON_LIMITS.chips)) {
    const { dir, inputs } = attributesOf(join(base, chipName));
    if (inputs.length === 0) continue;
    const named = (readSmall(join(dir, 'name')) || '').trim();
    const chip = CHIP_NAME.test(named) ? named : 'unnamed';
    for (const input of inputs) {
      if (reads >= HWMON_LIMITS.sensors || now() - started > HWMON_LIMITS.budgetMs) {
        stopped = true;
        break;
      }
      reads++;
      const milli = parseMilliC(readSmall(join(dir, input)));
      if (milli === undefined) continue;
      const before = hottest.get(chip);
      if (before === undefined || milli > before) hottest.set(chip, milli);
    }
    if (stopped) break;
  }
  if (stopped) {
    const why = reads >= HWMON_LIMITS.sensors ? `at most ${HWMON_LIMITS.sensors} sensors are read` : `reading took over ${HWMON_LIMITS.budgetMs} ms`;
    errors.push({ collector: 'hwmon', message: `stopped after ${reads} temperature sensors: ${why}` });
  }
  const found: ChipTemperature[] = [];
  hottest.forEach((maxMilliC, chip) => found.push({ chip, maxMilliC }));
  return { chips: found, errors };
}

/** `hwmon_temp_c{chip}`; a machine without /sys/class/hwmon (most VMs) has no series and no error. */
export function createHwmonCollector(now: () => number = Date.now): Collector {
  return {
    name: 'hwmon',
    readsCounters: false,
    async collect(ctx) {
      const scan = scanHwmon(ctx.sysRoot, now);
      const gauges: Sample[] = scan.chips.map((c) => sample('hwmon_temp_c', c.maxMilliC / 1000, { chip: c.chip }));
      return readings(gauges, [], scan.errors);
    },
  };
}

export const hwmonCollector: Collector = createHwmonCollector();
