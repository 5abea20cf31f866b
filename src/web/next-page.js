// Where the login form sends the user after signing in: a page of this server, nothing else.

/**
 * The `next` parameter resolved as the browser would resolve it, kept only when it stays on
 * `origin`; then only its path, query and fragment. A pattern on the text is not enough: the
 * URL parser drops tabs and newlines, so "/\t/evil.example" is "//evil.example", another site.
 */
export function safeNext(search, origin) {
  const next = new URLSearchParams(search).get('next') || '/';
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || !next.startsWith('/')) return '/';
  return url.pathname + url.search + url.hash;
}
