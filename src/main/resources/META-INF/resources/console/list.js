// The distributor list: search by name or hostname prefix, server-side paging (works the same with 100,000).
import { api } from './api.js';
import { h, message, formatNumber } from './dom.js';

const PAGE = 50;

export function listView(root) {
  let q = '';
  let offset = 0;
  let timer = null;
  let request = 0;

  const search = h('input', {
    id: 'search', type: 'search', autocomplete: 'off', placeholder: 'e.g. shop or shop.example.com',
    'aria-describedby': 'search-hint',
    oninput: () => {
      clearTimeout(timer);
      timer = setTimeout(() => { q = search.value.trim(); offset = 0; load(); }, 250);
    },
  });
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  root.replaceChildren(
    h('div', { class: 'title-row' }, h('h1', {}, 'Distributors'),
      h('a', { class: 'button primary', href: '#/new' }, 'New distributor')),
    h('div', { class: 'search' },
      h('label', { for: 'search' }, 'Search by name or hostname'), search,
      h('p', { id: 'search-hint', class: 'hint' }, 'Matches the start of a name or of a hostname.')),
    results);

  async function load() {
    const mine = ++request;
    results.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading…'));
    try {
      const { data: page } = await api.list(q, PAGE, offset);
      if (mine !== request) return; // a newer search has started
      results.replaceChildren(render(page));
    } catch (error) {
      if (mine !== request) return;
      results.replaceChildren(message('error', `Could not load the distributors: ${error.message}`,
        h('button', { type: 'button', onclick: load }, 'Try again')));
    }
  }

  function render(page) {
    if (page.total === 0) {
      return q
        ? h('p', { class: 'state empty' }, `No distributor's name or hostname starts with “${q}”.`)
        : h('div', { class: 'state empty' }, h('p', {}, 'No distributors yet.'),
          h('a', { class: 'button primary', href: '#/new' }, 'Create the first one'));
    }
    const first = page.offset + 1;
    const last = page.offset + page.items.length;
    return h('div', {},
      h('table', { class: 'list' },
        h('caption', { class: 'visually-hidden' }, 'Distributors'),
        h('thead', {}, h('tr', {}, ['Name', 'Hostnames', 'Routing', 'Backends', 'State'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, page.items.map(d => h('tr', {},
          h('td', {}, h('a', { href: `#/d/${encodeURIComponent(d.name)}` }, d.name)),
          h('td', {}, d.hostnames.join(', ')),
          h('td', {}, d.routing),
          h('td', {}, d.backends.map(b => b.name).join(', ')),
          h('td', {}, h('span', { class: d.enabled ? 'badge up' : 'badge off' }, d.enabled ? 'enabled' : 'disabled')))))),
      h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: page.offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, '← Previous'),
        h('span', { class: 'count' }, `${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(page.total)}`),
        h('button', { type: 'button', disabled: last >= page.total, onclick: () => { offset += PAGE; load(); } }, 'Next →')));
  }

  load();
  search.focus();
  return () => clearTimeout(timer);
}
