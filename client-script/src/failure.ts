import { COLLECTOR_EXIT } from './protocol.js';

export type FailureKind = Exclude<keyof typeof COLLECTOR_EXIT, 'ok'>;

/**
 * A failure of the whole collector run: bad arguments, unusable keys, a host it cannot
 * read. main turns it into one line on stderr and the matching exit code. Failures of a
 * single collector are not this: they travel inside the report.
 */
export class CollectorFailure extends Error {
  readonly kind: FailureKind;

  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'CollectorFailure';
    this.kind = kind;
  }

  get exitCode(): number {
    return COLLECTOR_EXIT[this.kind];
  }
}

export const usageFailure = (message: string): CollectorFailure => new CollectorFailure('usage', message);
export const keysFailure = (message: string): CollectorFailure => new CollectorFailure('keys', message);
export const unsupportedFailure = (message: string): CollectorFailure => new CollectorFailure('unsupported', message);
export const deadlineFailure = (message: string): CollectorFailure => new CollectorFailure('deadline', message);
