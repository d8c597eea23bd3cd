// The console: a hash router over three views, and the admin token asked for once (kept in session storage).
import { token, onUnauthorized } from './api.js';
import { listView } from './list.js';
import { detailView } from './detail.js';
import { formView } from './form.js';

const main = document.getElementById('main');
const dialog = document.getElementById('token-dialog');
const tokenForm = document.getElementById('token-form');
const tokenInput = document.getElementById('token-input');
const tokenError = document.getElementById('token-error');
const forget = document.getElementById('forget-token');
let leave = () => {};

function route() {
  leave();
  const hash = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  let match;
  if ((match = hash.match(/^\/d\/([^/]+)\/edit$/))) leave = formView(main, match[1]);
  else if ((match = hash.match(/^\/d\/([^/]+)$/))) leave = detailView(main, match[1]);
  else if (hash === '/new') leave = formView(main, null);
  else leave = listView(main);
  forget.hidden = !token.get();
}

onUnauthorized(() => {
  if (dialog.open) return;
  tokenError.hidden = !token.get(); // a token was sent and refused
  token.clear();
  tokenInput.value = '';
  dialog.showModal();
  tokenInput.focus();
});

tokenForm.addEventListener('submit', event => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  if (!value) return;
  token.set(value);
  dialog.close();
  route();
});
dialog.addEventListener('cancel', event => event.preventDefault()); // nothing works without it

forget.addEventListener('click', () => {
  token.clear();
  route();
});

window.addEventListener('hashchange', route);
route();
