// Alerts with their codes and history, and silences: admins add and end them here. A viewer
// sees no buttons, and the server refuses a viewer's POST/DELETE anyway (403).
import { api, el, figure, labelText, notify, run, seriesText, startPage, utc } from './common.js';

const STATES = ['firing', 'pending', 'resolved', 'all'];
let isAdmin = false;

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
  const { alerts } = await api(`/api/v1/alerts?state=${state}${state === 'all' ? '&since=7d' : ''}`);
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
  const { silences } = await api('/api/v1/silences');
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
  document.body.dataset.ready = 'true';
});
