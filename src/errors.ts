/**
 * The one family of errors metrix throws. Each has a stable `code` that tests and the
 * CLI match on; `exitCode` says how the CLI should end when such an error reaches it.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'KEYS'
  | 'STORE'
  | 'LOCKED'
  | 'INTERNAL';

const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  USAGE: 2,
  CONFIG: 2,
  KEYS: 2,
  STORE: 1,
  LOCKED: 3,
  INTERNAL: 1,
};

export class MetrixError extends Error {
  readonly code: ErrorCode;
  /** Extra lines shown under the message, e.g. one per config problem. */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MetrixError';
    this.code = code;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export const usageError = (message: string): MetrixError => new MetrixError('USAGE', message);

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
