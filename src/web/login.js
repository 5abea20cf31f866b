// The login form: POST /api/v1/session, then back to the page that sent us here.
import { notify } from './common.js';
import { safeNext } from './next-page.js';

const form = document.getElementById('login');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  notify('error', '');
  try {
    const response = await fetch('/api/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ user: form.user.value, password: form.password.value }),
      credentials: 'same-origin',
    });
    if (response.ok) {
      location.assign(safeNext(location.search, location.origin));
      return;
    }
    let message = response.status === 401 ? 'Wrong user or password.' : `Login failed (${response.status}).`;
    if (response.status === 429) message = 'Too many failed logins: wait a little and try again.';
    notify('error', message);
    form.password.select();
  } catch {
    notify('error', 'The server does not answer.');
  } finally {
    button.disabled = false;
  }
});
