import { describe, expect, it } from 'vitest';
import { findOnPath, gpuGauges, parseNvidiaSmi } from '../../client-script/src/collectors/gpu.js';
import { fixture,  writeScript } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

describe('parseNvidiaSmi', () => {
  it('turns the CSV into per-GPU gauges, leaving out what a GPU cannot report', () => {
    const gauges = parseNvidiaSmi(fixture('samples/nvidia-smi.csv')).map(gpuGauges);
    expect(gauges).toEqual([
      [
        { m: 'gpu_util_percent', v: 45, l: { gpu: '0' } },
        { m: 'gpu_mem_percent', v: 25, l: { gpu: '0' } },
        { m: 'gpu_temp_c', v: 67, l: { gpu: '0' } },
      ],
      [
        { m: 'gpu_util_percent', v: 100, l: { gpu: '1' } },
        { m: 'gpu_mem_percent', v: 97.66, l: { gpu: '1' } },
        { m: 'gpu_temp_c', v: 81, l: { gpu: '1' } },
      ],
      [{ m: 'gpu_temp_c', v: 35, l: { gpu: '2' } }],
      [{ m: 'gpu_mem_percent', v: 3.13, l: { gpu: '3' } }],
    ]);
  });

  it.each([
    ['no GPUs', '', []],
    ['zero memory total', '0, 5, 0, 0, 40\n', [{ gpu: '0', utilPercent: 5, memUsed: 0, memTotal: 0, tempC: 40 }]],
  ])('%s', (_name, text, expected) => {
    expect(parseNvidiaSmi(text)).toEqual(expected);
    for (const reading of parseNvidiaSmi(text)) expect(gpuGauges(reading).map((s) => s.m)).not.toContain('gpu_mem_percent');
  });

  it.each([
    ['a driver error', 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n'],
    ['a header line', 'index, utilization.gpu [%], memory.used [MiB], memory.total [MiB], temperature.gpu\n'],
    ['a missing column', '0, 45, 10240, 40960\n'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseNvidiaSmi(text)).toThrow(/unexpected nvidia-smi output/);
  });
});

describe('findOnPath', () => {
  it('finds an executable, and nothing where it is absent or not executable', () => {
    const empty = tempDir();
    const withTool = tempDir();
    const tool = writeScript(`${withTool}/nvidia-smi`, 'exit 0');
    expect(findOnPath('nvidia-smi', `${empty}::${withTool}`)).toBe(tool);
    expect(findOnPath('nvidia-smi', empty)).toBeUndefined();
    expect(findOnPath('nvidia-smi', '')).toBeUndefined();
  });
});
