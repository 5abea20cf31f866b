/**
 * The contract between the collector (runs on the monitored host, bundled for Node >= 8)
 * and the poller. Keep this file free of Node-20-only APIs: the collector bundles it.
 *
 * Wire format, one line on stdout:
 *   metrix-sealed-v1 <nonce base64> <box base64>\n
 * where box = nacl.box(utf8(JSON(Report)), nonce, pollerPublicKey, hostSecretKey).
 */
export const SEAL_TAG = 'metrix-sealed-v1';

/** Bumped when the Report shape changes incompatibly. */
export const REPORT_VERSION = 1;

/** One reading. `l` holds labels such as {mount: "/"}; absent when the metric has none. */
export interface Sample {
  readonly m: string;
  readonly v: number;
  readonly l?: Readonly<Record<string, string>>;
}

/** A collector that could not report, e.g. {collector: "filesystem", message: "/nfs: statfs timed out after 2000ms"}. */
export interface CollectorError {
  readonly collector: string;
  readonly message: string;
}

export interface Report {
  readonly v: number;
  readonly host: string;
  readonly challenge: string;
  /**
   * Host clock, ms since the epoch, when the report was made, after every collector. Collectors
   * before `countersAt` existed set it to when the counters were read.
   */
  readonly ts: number;
  /**
   * Host clock when the counters were read, before the slow collectors (statfs, nvidia-smi) were
   * awaited. The poller places the counters at its own end-of-poll time minus `ts - countersAt`.
   */
  readonly countersAt?: number;
  /** Version of the collector script that made this report. */
  readonly collector: string;
  /** Values that stand on their own: load1, mem_percent, disk_used_percent{mount}, ... */
  readonly gauges: readonly Sample[];
  /** Cumulative counters the poller turns into rates: cpu_total_jiffies, net_rx_bytes_total{iface}, ... */
  readonly counters: readonly Sample[];
  /** An earlier reading of the same counters, taken when the poller asked for a warm-up (first poll). */
  readonly baseline?: { readonly ts: number; readonly counters: readonly Sample[] };
  readonly errors: readonly CollectorError[];
  /** Results of the checks the poller's --spec asked for (absent without a spec). */
  readonly checks?: readonly CheckResult[];
  /** What the watched logs of the spec gained since the last poll (absent without a spec). */
  readonly logs?: readonly LogResult[];
}

/** One check's latest result: run in this poll (`fresh`) or remembered from its last run. */
export interface CheckResult {
  readonly name: string;
  /** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  readonly status: number;
  /** The plugin's first output line before "|", or why it is UNKNOWN ("timed out after 10s"). */
  readonly text: string;
  /** Perfdata in base units (seconds, bytes, percent, counts). */
  readonly perf: ReadonlyArray<{ readonly label: string; readonly value: number }>;
  /** Host clock when it ran. */
  readonly ranAt: number;
  readonly fresh: boolean;
}

/** One watched log: lines that matched among those added since the last poll. */
export interface LogResult {
  readonly name: string;
  readonly matches: number;
  /** The last few matching lines, each cut short. */
  readonly lines: readonly string[];
  /** What a sysadmin should know about this read: first sight, rotated, missing, capped. */
  readonly note?: string;
}

/** The per-host key file that `metrix upload` places beside the collector (mode 0600). */
export interface HostKeyFile {
  readonly v: 1;
  readonly host: string;
  /** base64 nacl.box secret key of this host. */
  readonly secretKey: string;
  /** base64 nacl.box public key of the poller. */
  readonly pollerPublicKey: string;
  /**
   * base64 nacl.box.before(pollerPublicKey, secretKey), made by the poller so that a collector
   * started for one poll skips the scalar multiplication (most of its sealing CPU). Absent from
   * files placed before it existed; collectors older than it ignore it, so the version stays 1.
   */
  readonly sharedKey?: string;
}

/** Name of the key file beside the collector on a remote host. */
export const HOST_KEY_FILE = 'metrix-host.key';

/** Name of the file beside the key file where the collector remembers things between polls. */
export const STATE_FILE = 'metrix-state.json';

/** Exit status of a resident collector (--serve) that found its file or key replaced by an upload: start the new one. */
export const REPLACED_EXIT = 6;

/** Exit codes of the collector process. */
export const COLLECTOR_EXIT = { ok: 0, usage: 2, keys: 3, unsupported: 4, deadline: 5 } as const;
