/** What the soak's child reports: memory after a full GC every few cycles. */

export interface SoakPoint {
  readonly cycle: number;
  readonly rssKiB: number;
  /** RSS split as /proc/self/status has it: anonymous (heaps) and file-backed (code, mapped files). */
  readonly rssAnonKiB: number;
  readonly rssFileKiB: number;
  readonly heapUsedKiB: number;
  readonly externalKiB: number;
}

export interface SoakResult {
  readonly points: readonly SoakPoint[];
  /** Cycles in which some host failed, and the first few such lines. */
  readonly failedCycles: number;
  readonly failures: readonly string[];
  readonly exit: number;
  readonly seconds: number;
}

/** Cycles between two points: 100 (the issue compares cycle 100 with cycle 2,000), 10 for short soaks. */
export const pointEvery = (cycles: number): number => (cycles < 200 ? 10 : 100);
