import { readAttributes } from './attributes.js';
import type { ResolveContext } from './context.js';
import { FILE_ONLY_MAIL_ATTRS, MAIL_ATTRS, SMTP_ONLY_MAIL_ATTRS } from './schema.js';
import type { MailConfig } from './types.js';
import type { XmlElement } from './xml.js';

export const SMTP_PORTS = { none: 25, starttls: 587, tls: 465 } as const;
export const MAIL_DEFAULTS = { dir: './outbox', to: ['root@localhost'], giveUpAfterMs: 2 * 86_400_000, timeoutMs: 30_000 } as const;

/**
 * The mail transport. Without <mail>, or without transport= and host=, mail goes to .eml
 * files in <configdir>/outbox so nothing is lost before SMTP is set up.
 */
export function resolveMail(element: XmlElement | undefined, context: ResolveContext, problems: string[]): MailConfig {
  const attrs = readAttributes(element, MAIL_ATTRS, problems);
  const from = attrs.from ?? `metrix@${context.env.hostName || 'localhost'}`;
  const to = attrs.to ?? MAIL_DEFAULTS.to;
  const giveUpAfterMs = attrs.giveUpAfter ?? MAIL_DEFAULTS.giveUpAfterMs;
  const given = (names: readonly string[]): string[] => names.filter((name) => element?.attributes[name] !== undefined);
  const transport = attrs.transport ?? (element?.attributes.host !== undefined ? 'smtp' : 'file');

  if (transport === 'file') {
    for (const name of given(SMTP_ONLY_MAIL_ATTRS)) {
      problems.push(`<mail> ${name}="${element?.attributes[name] ?? ''}": only for transport="smtp" (mail goes to files here)`);
    }
    return { transport, from, to, giveUpAfterMs, dir: context.localPath(attrs.dir ?? MAIL_DEFAULTS.dir) };
  }

  for (const name of given(FILE_ONLY_MAIL_ATTRS)) {
    problems.push(`<mail> ${name}="${element?.attributes[name] ?? ''}": only for transport="file" (mail goes over SMTP here)`);
  }
  if (element?.attributes.host === undefined) {
    problems.push('<mail> transport="smtp" needs host="..." (the SMTP server to send through)');
  }
  if (attrs.user !== undefined && element?.attributes.passwordEnv === undefined) {
    problems.push(`<mail> user="${attrs.user}" needs passwordEnv="..." (the environment variable holding the SMTP password; never the password itself)`);
  }
  if (attrs.passwordEnv !== undefined && element?.attributes.user === undefined) {
    problems.push(`<mail> passwordEnv="${attrs.passwordEnv}" needs user="..." (the SMTP login)`);
  }
  // Port 465 means implicit TLS everywhere; otherwise prefer upgrading with STARTTLS.
  const security = attrs.security ?? (attrs.port === SMTP_PORTS.tls ? 'tls' : 'starttls');
  return {
    transport,
    from,
    to,
    giveUpAfterMs,
    host: attrs.host ?? '',
    port: attrs.port ?? SMTP_PORTS[security],
    security,
    user: attrs.user,
    passwordEnv: attrs.passwordEnv,
    caFile: attrs.caFile === undefined ? undefined : context.localPath(attrs.caFile),
    timeoutMs: attrs.timeout ?? MAIL_DEFAULTS.timeoutMs,
  };
}
