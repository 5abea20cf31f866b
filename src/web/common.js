// Shared by every page: the API client, the session in the top bar, a DOM builder and formats.
// Host names, labels, mounts and messages come from hosts and are hostile: they only ever reach
// the page as text (textContent, setAttribute), never as HTML.

/** An API answer that was not 2xx (or 304), with the server's JSON error message when it sent one. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let csrfToken = '';

/** Where a 401 sends the browser: the login page, coming back here afterwards. */
export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * Calls the API. JSON in and out; POST/DELETE carry the CSRF token; a 401 goes to the login
 * page. `etag` makes the request conditional: the answer is then `undefined` on 304.
 * `onHeaders` sees the headers of every answer that is not an error (ETag, Date).
 */
export async function api(path, { method = 'GET', body, etag, onHeaders } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (etag) headers['If-None-Match'] = etag;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, 'not logged in');
  }
  if (!response.ok && response.status !== 304) throw new ApiError(response.status, await errorText(response));
  if (onHeaders) onHeaders(response.headers);
  if (response.status === 304) return undefined;
  if (response.status === 204) return {};
  return response.json();
}

async function errorText(response) {
  try {
    const body = await response.json();
    return String((body.error && body.error.message) || response.statusText);
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

/**
 * Reads the session and fills the top bar (user, role, log out). Resolves to the session, or
 * goes to the login page when there is none.
 */
export async function startPage(current) {
  for (const link of document.querySelectorAll('.topbar nav a')) {
    if (link.dataset.page === current) link.setAttribute('aria-current', 'page');
  }
  const session = await api('/api/v1/session');
  csrfToken = session.csrfToken || '';
  const who = document.querySelector('.topbar .who');
  if (who) {
    who.replaceChildren(
      el('span', { class: 'user', title: 'logged in as' }, session.user),
      el('span', { class: 'role' }, session.role),
      el('button', { type: 'button', class: 'link', id: 'logout' }, 'Log out'),
    );
    document.getElementById('logout').addEventListener('click', logout);
  }
  document.body.dataset.role = session.role;
  return session;
}

async function logout() {
  try {
    await api('/api/v1/session', { method: 'DELETE' });
  } finally {
    location.assign('/login');
  }
}

/**
 * Builds an element. Attributes are set with setAttribute, children appended as nodes or text
 * nodes: nothing here parses HTML, whatever the strings hold.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An SVG element (the state bar), attributes set one by one. */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const pad = (n) => String(n).padStart(2, '0');

/** A time as the CLI prints it, in UTC: 2026-11-22 08:00:05Z. */
export function utc(ms) {
  if (ms === undefined || ms === null) return '';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

/** An age as the CLI prints it: 42s, 5m, 3h 2m, 3d 2h. */
export function age(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A time given either as epoch ms or as ISO text (the API may send either), as ms. */
export function toMs(value) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A figure with at most one decimal (two below 10), as the overview table prints it. */
export function figure(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/** `{mount="/scratch", iface="eth0"}` as text, names sorted; '' when there are none. */
export function labelText(labels) {
  const names = Object.keys(labels || {}).sort();
  if (names.length === 0) return '';
  return names.map((name) => `${name}=${JSON.stringify(String(labels[name]))}`).join(', ');
}

/** A series as the CLI names it: disk_used_percent{mount="/scratch"}. */
export function seriesText(metric, labels) {
  const text = labelText(labels);
  return text ? `${metric}{${text}}` : metric;
}

/** A page-level message (error, notice) in the element with id `notice`. */
export function notify(kind, text) {
  const box = document.getElementById('notice');
  if (!box) return;
  box.className = `notice ${kind}`;
  box.textContent = text;
  box.hidden = !text;
}

/** Runs the page's start, showing a failure as a notice rather than a blank page. */
export function run(main) {
  main().catch((err) => {
    if (err instanceof ApiError && err.status === 401) return;
    notify('error', `Could not load the page: ${err.message}`);
  });
}
