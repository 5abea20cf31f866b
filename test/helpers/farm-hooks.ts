import { afterAll, beforeAll } from 'vitest';
import { startFarm, type Farm, type FarmOptions } from '../farm/farm.js';

/**
 * A farm of real sshd for the test file: started before its tests, stopped after them.
 * Returns how to reach it (the farm exists once the file's tests run).
 */
export function useFarm(options: FarmOptions = { servers: 1 }): () => Farm {
  let farm: Farm | undefined;
  beforeAll(async () => {
    farm = await startFarm(options);
  }, 60_000);
  afterAll(async () => {
    await farm?.stop();
  });
  return () => {
    if (!farm) throw new Error('the farm is not started (useFarm is for a test file\'s tests)');
    return farm;
  };
}
