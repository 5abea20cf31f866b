import { accessSync, constants } from 'fs';
import { join } from 'path';
import type { Sample } from '../protocol.js';
import { runCommand } from '../run-command.js';
import { percent, readings, sample, type Collector } from './collector.js';

export interface GpuReading {
  readonly gpu: string;
  readonly utilPercent: number | undefined;
  readonly memUsed: number | undefined;
  readonly memTotal: number | undefined;
  readonly tempC: number | undefined;
}

const QUERY = ['--query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu', '--format=csv,noheader,nounits'];
// nvidia-smi answers in well under a second; a wedged driver makes it hang for minutes.
const NVIDIA_SMI_TIMEOUT_MS = 5000;

/** The first executable `name` on `searchPath`, or undefined: most hosts have no GPU and that is no error. */
export function findOnPath(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

// Fields a GPU cannot report read "[N/A]" or "[Not Supported]"; they are left out, not zeroed.
function optionalNumber(field: string | undefined): number | undefined {
  const text = (field || '').trim();
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

/** Parses the CSV of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`, one GPU per line. */
export function parseNvidiaSmi(text: string): GpuReading[] {
  const gpus: GpuReading[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 5 || !/^\d+$/.test(fields[0]!)) throw new Error(`unexpected nvidia-smi output: ${JSON.stringify(line.trim())}`);
    gpus.push({
      gpu: fields[0]!,
      utilPercent: optionalNumber(fields[1]),
      memUsed: optionalNumber(fields[2]),
      memTotal: optionalNumber(fields[3]),
      tempC: optionalNumber(fields[4]),
    });
  }
  return gpus;
}

export function gpuGauges(reading: GpuReading): Sample[] {
  const labels = { gpu: reading.gpu };
  const gauges: Sample[] = [];
  if (reading.utilPercent !== undefined) gauges.push(sample('gpu_util_percent', reading.utilPercent, labels));
  if (reading.memUsed !== undefined && reading.memTotal !== undefined && reading.memTotal > 0) {
    gauges.push(sample('gpu_mem_percent', percent(reading.memUsed, reading.memTotal), labels));
  }
  if (reading.tempC !== undefined) gauges.push(sample('gpu_temp_c', reading.tempC, labels));
  return gauges;
}

export const gpuCollector: Collector = {
  name: 'gpu',
  readsCounters: false,
  async collect(ctx) {
    const nvidiaSmi = findOnPath('nvidia-smi', ctx.searchPath);
    if (nvidiaSmi === undefined) return readings([]);
    const result = await runCommand([nvidiaSmi].concat(QUERY), NVIDIA_SMI_TIMEOUT_MS);
    if (!result.ok) throw new Error(`nvidia-smi ${result.message}`);
    const gauges: Sample[] = [];
    for (const reading of parseNvidiaSmi(result.stdout)) gauges.push(...gpuGauges(reading));
    return readings(gauges);
  },
};
