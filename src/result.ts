// Shared by ssh/, crypto/, poll/ and upload/: the outcome of one host's operation, a value not an exception.

/**
 * Why a host could not be polled. Stable strings: they are stored with `host_up=0`,
 * counted in the run summary and matched by tests.
 */
export type FailureReason =
  | 'unreachable' // TCP connect refused, no route, DNS
  | 'connect-timeout' // no SSH handshake within connectTimeout
  | 'host-key' // unknown, changed or revoked host key
  | 'auth' // authentication refused
  | 'command-timeout' // collector did not finish within commandTimeout
  | 'output-too-large' // collector printed more than maxOutputBytes
  | 'collector-failed' // collector exited non-zero
  | 'not-uploaded' // no key for the host: `metrix upload` has not run
  | 'bad-output' // sealed output did not open or verify, or the opened report is malformed
  // The report is well-formed but carries more samples than maxSamples (Prometheus's sample_limit):
  // its own reason because the fix differs, raising maxSamples or trimming the host (GPUs, mounts), not distrust.
  | 'too-many-samples'
  | 'keys' // the host's key file on the poller is unreadable or open to others
  | 'node' // Node is missing on the host, or too old for the collector (upload)
  | 'ssh'; // any other SSH-level failure (connection lost mid-command, ...)

export interface Failure {
  readonly reason: FailureReason;
  /** What a sysadmin can act on: "host key changed: SHA256:… (known_hosts line 12)". */
  readonly message: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: Failure };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (reason: FailureReason, message: string): Outcome<never> => ({ ok: false, failure: { reason, message } });
