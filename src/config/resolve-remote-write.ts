import { readAttributes } from './attributes.js';
import type { ResolveContext } from './context.js';
import { REMOTE_WRITE_ATTRS } from './schema.js';
import type { RemoteWriteAuth, RemoteWriteConfig } from './types.js';
import type { XmlElement } from './xml.js';

/**
 * timeout: one request; a store that takes longer is down as far as this run is concerned.
 * maxQueued: samples; at 40 series a host, 5 million is a day of 80 hosts polled every minute.
 */
export const REMOTE_WRITE_DEFAULTS = { timeoutMs: 10_000, maxQueued: 5_000_000 } as const;

/** Prometheus's label names, less the reserved `__` prefix. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels metrix sets on every series itself. */
const OWN_LABELS = ['host'];

/** Remote write, or undefined without <remoteWrite> (or with a url too broken to use: a problem says so). */
export function resolveRemoteWrite(element: XmlElement | undefined, context: ResolveContext, problems: string[]): RemoteWriteConfig | undefined {
  if (!element) return undefined;
  const attrs = readAttributes(element, REMOTE_WRITE_ATTRS, problems);
  const given = (name: string): boolean => element.attributes[name] !== undefined;
  const labels = attrs.labels ?? {};
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      problems.push(`<remoteWrite> labels: "${name}" is not a label name (allowed: letters, digits and "_", not starting with a digit or "__")`);
    } else if (OWN_LABELS.includes(name)) {
      problems.push(`<remoteWrite> labels: "${name}" is set by metrix on every series (the host's name); choose another name`);
    }
  }
  if (given('bearerTokenEnv') && (given('user') || given('passwordEnv'))) {
    problems.push('<remoteWrite> bearerTokenEnv and user/passwordEnv: one way to log in, not both');
  }
  if (given('user') && !given('passwordEnv')) {
    problems.push(`<remoteWrite> user="${attrs.user ?? ''}" needs passwordEnv="..." (the environment variable holding the password; never the password itself)`);
  }
  if (given('passwordEnv') && !given('user')) problems.push(`<remoteWrite> passwordEnv="${attrs.passwordEnv ?? ''}" needs user="..." (the HTTP Basic login)`);
  if (attrs.url === undefined) return undefined;
  const auth: RemoteWriteAuth =
    attrs.bearerTokenEnv !== undefined
      ? { kind: 'bearer', tokenEnv: attrs.bearerTokenEnv }
      : attrs.user !== undefined && attrs.passwordEnv !== undefined
        ? { kind: 'basic', user: attrs.user, passwordEnv: attrs.passwordEnv }
        : { kind: 'none' };
  return {
    url: attrs.url,
    timeoutMs: attrs.timeout ?? REMOTE_WRITE_DEFAULTS.timeoutMs,
    auth,
    caFile: attrs.caFile === undefined ? undefined : context.localPath(attrs.caFile),
    maxQueued: attrs.maxQueued ?? REMOTE_WRITE_DEFAULTS.maxQueued,
    labels,
  };
}
