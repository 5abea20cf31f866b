// Alerts with their codes and history, and silences: admins add and end them here. A viewer
// sees no buttons, and the server refuses a viewer's POST/DELETE anyway (403). Both tables are
// polled as the overview polls the hosts: with If-None-Match, so a 304 costs nothing to draw.
import { api, el, figure, labelText, notify, run, seriesText, startPage, toMs, utc } from './common.js';

const STATES = ['firing', 'pending', 'resolved', 'all'];
const POLL_MS = 5000;
let isAdmin = false;
/** Per table, the request it was last drawn from and that answer's ETag. */
const shown = { alerts: { path: '', etag: undefined }, silences: { path: '', etag: undefined } };
/** Set while the polls fail, so the notice saying so is taken away once they work again. */
let failing = false;
/** The server's time (its Date header) of the latest answer, 304s included: when the tables were last confirmed. */
let confirmedAt;

/**
 * Reads `path` for `table`: conditional when the table already shows that path's answer.
 * Resolves to the answer, or undefined when it is unchanged (304) or `stillWanted` says the
 * table has moved on (another tab was picked while this was on its way).
 */
async function read(table, path, stillWanted = () => true) {
  let etag;
  const answer = await api(path, {
    etag: shown[table].path === path ? shown[table].etag : undefined,
    onHeaders: (headers) => {
      etag = headers.get('ETag') ?? undefined;
      confirmedAt = toMs(headers.get('Date') ?? undefined) ?? Date.now();
    },
  });
  if (!answer || !stillWanted()) return undefined;
  shown[table] = { path, etag };
  return answer;
}

function currentState() {
  const state = new URLSearchParams(location.search).get('state');
  return STATES.includes(state) ? state : 'firing';
}

function alertRow(a) {
  return el('tr', { 'data-code': a.code },
    el('td', { class: 'mono' }, a.code),
    el('td', {}, el('span', { class: `state ${a.state}` }, a.state)),
    el('td', {}, el('a', { href: `/host/${encodeURIComponent(a.host)}` }, a.host)),
    el('td', {}, a.rule),
    el('td', { class: 'mono wrap' }, seriesText(a.metric, a.labels)),
    el('td', { class: `sev-${a.severity}` }, a.severity),
    el('td', { class: 'num' }, figure(a.value)),
    el('td', {}, utc(a.firingSince ?? a.activeSince)),
    el('td', {}, utc(a.resolvedAt)),
    el('td', { class: 'muted wrap' }, a.muted || (a.state === 'firing' && a.notifiedAt === undefined ? 'not mailed yet' : '')),
  );
}

async function showAlerts() {
  const state = currentState();
  for (const tab of document.querySelectorAll('#tabs a')) tab.setAttribute('aria-current', String(tab.dataset.state === state));
  const answer = await read('alerts', `/api/v1/alerts?state=${state}${state === 'all' ? '&since=7d' : ''}`, () => state === currentState());
  if (!answer) return;
  const { alerts } = answer;
  document.querySelector('#alerts tbody').replaceChildren(...alerts.map(alertRow));
  const empty = document.getElementById('no-alerts');
  empty.hidden = alerts.length > 0;
  empty.textContent = state === 'all' ? 'No alert in the last 7 days.' : `No ${state} alert.`;
  document.getElementById('alerts').hidden = alerts.length === 0;
}

function silenceRow(s) {
  const end = isAdmin ? el('button', { type: 'button', class: 'danger', 'data-end': s.id, 'aria-label': `End silence ${s.id}` }, 'End') : null;
  return el('tr', { 'data-silence': s.id },
    el('td', { class: 'num' }, s.id),
    el('td', {}, s.host ?? el('span', { class: 'muted' }, 'any')),
    el('td', {}, s.rule ?? el('span', { class: 'muted' }, 'any')),
    el('td', { class: 'mono wrap' }, labelText(s.labels)),
    el('td', {}, utc(s.startsAt)),
    el('td', {}, s.endsAt > 8.64e15 ? 'never' : utc(s.endsAt)),
    el('td', { class: 'wrap' }, s.comment),
    el('td', {}, s.createdBy),
    isAdmin ? el('td', {}, end) : null,
  );
}

async function showSilences() {
  const answer = await read('silences', '/api/v1/silences');
  if (!answer) return;
  const { silences } = answer;
  document.querySelector('#silences tbody').replaceChildren(...silences.map(silenceRow));
  document.getElementById('no-silences').hidden = silences.length > 0;
  document.getElementById('silences').hidden = silences.length === 0;
}

/** Admin: the form adds a silence; one listener on the table ends them. */
function enableAdmin() {
  document.getElementById('add-silence').hidden = false;
  for (const th of document.querySelectorAll('.admin-only')) th.hidden = false;
  const form = document.getElementById('silence-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (field) => form.elements[field].value.trim() || undefined;
    const request = { host: value('host'), rule: value('rule'), labels: value('labels'), for: value('for'), comment: form.elements.comment.value.trim() };
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const { silence } = await api('/api/v1/silences', { method: 'POST', body: request });
      notify('ok', `Silence #${silence.id} added, until ${utc(silence.endsAt)}.`);
      form.reset();
      await Promise.all([showSilences(), showAlerts()]);
    } catch (err) {
      notify('error', `Silence not added: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
  document.getElementById('silences').addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-end]');
    if (!button) return;
    button.disabled = true;
    try {
      await api(`/api/v1/silences/${encodeURIComponent(button.dataset.end)}`, { method: 'DELETE' });
      notify('ok', `Silence #${button.dataset.end} ended.`);
      await Promise.all([showSilences(), showAlerts()]);
    } catch (err) {
      button.disabled = false;
      notify('error', `Silence #${button.dataset.end} not ended: ${err.message}`);
    }
  });
}

run(async () => {
  const session = await startPage('alerts');
  isAdmin = session.role === 'admin';
  // A viewer gets neither the form nor the End buttons (the server would refuse them anyway).
  for (const th of document.querySelectorAll('.admin-only')) th.hidden = !isAdmin;
  if (isAdmin) enableAdmin();
  else document.getElementById('add-silence').remove();
  document.getElementById('tabs').addEventListener('click', (event) => {
    const tab = event.target.closest('a[data-state]');
    if (!tab || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set('state', tab.dataset.state);
    history.pushState(null, '', url);
    showAlerts().catch((err) => notify('error', err.message));
  });
  window.addEventListener('popstate', () => showAlerts().catch((err) => notify('error', err.message)));
  await Promise.all([showAlerts(), showSilences()]);
  showUpdated();
  document.body.dataset.ready = 'true';
  setTimeout(poll, POLL_MS);
});

function showUpdated() {
  document.getElementById('updated').textContent = confirmedAt === undefined ? '' : `updated ${utc(confirmedAt)}`;
}

/** Both tables again; the next poll starts when this one is over (a slow server never has two at once). */
async function poll() {
  try {
    await Promise.all([showAlerts(), showSilences()]);
    showUpdated();
    if (failing) notify('', '');
    failing = false;
  } catch (err) {
    if (!failing) notify('error', `Could not refresh (${err.message}): the tables are as of ${utc(confirmedAt)} and may be out of date.`);
    failing = true;
  } finally {
    document.body.dataset.refreshed = String((Number(document.body.dataset.refreshed) || 0) + 1);
    setTimeout(poll, POLL_MS);
  }
}
