/**
 * URLs metrix calls out to (the heartbeat). Their path and query often hold a token
 * (hc-ping.com/<uuid>, ?key=…), so messages show only the scheme and host.
 */

export const HTTP_URL_HELP = 'an http:// or https:// URL';

/** Why `raw` cannot be called with a plain GET, or undefined when it can. */
export function httpUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a URL (expected ${HTTP_URL_HELP})`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme "${url.protocol.slice(0, -1)}" not allowed (allowed: http, https)`;
  if (url.username !== '' || url.password !== '') {
    return 'a user or password in the URL is not allowed (it would be sent in the clear to every redirect and sit in the file; put the token in the path, as hc-ping.com does)';
  }
  if (url.hash !== '') return 'a "#" part is never sent to the server (a "#" in a token must be written %23)';
  return undefined;
}

// scheme://, then the authority up to the first / ? or #, then the rest.
const PARTS = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)([\s\S]*)$/i;

/**
 * A URL as shown in logs and messages: scheme and host only, `https://hc-ping.com/…`; a user
 * or password becomes `…@`. Works on text that does not parse as a URL too.
 */
export function shownUrl(raw: string): string {
  const [, scheme = '', authority = '', rest = ''] = PARTS.exec(raw.trim()) ?? [];
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : `…@${authority.slice(at + 1)}`;
  return `${scheme}${host}${rest === '' || rest === '/' ? '' : '/…'}`;
}

/** `https://hc-ping.com`, `http://10.0.0.9:8000`: where a URL goes, without its secret parts. */
export function urlOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return shownUrl(url);
  }
}
