// One distributor: live health, shares and active backend (polled every 2 s), the traffic-ratio slider, swap,
// enable/disable, routing method, requests per second, health transitions, and revisions when the API has them.
import { api } from './api.js';
import { h, message, formatNumber } from './dom.js';
import { trafficChart } from './chart.js';
import { shares, percentOfFirst, weightsFor, withWeights, swapped } from './ratio.js';

const POLL_MILLIS = 2000;
const ROUTINGS = ['ROUND_ROBIN', 'STICKY_SESSIONS', 'FAILOVER'];
const REVISIONS_PAGE = 20;

export function detailView(root, name) {
  let doc = null;
  let version = null;
  let draft = null; // weights being edited, not saved yet
  let timer = null;
  let gone = false;
  let revisionsOffset = 0; // the page of the history shown, newest first

  const notice = h('div', { id: 'notice' });
  const header = h('div', { class: 'title-row' });
  const controls = h('section', { 'aria-labelledby': 'controls-title' });
  const backends = h('section', { 'aria-labelledby': 'backends-title' });
  const ratio = h('section', { 'aria-labelledby': 'ratio-title' });
  const chart = h('section', { 'aria-labelledby': 'chart-title' });
  const transitions = h('section', { 'aria-labelledby': 'transitions-title' });
  const revisions = h('section', { 'aria-labelledby': 'revisions-title', hidden: true });
  root.replaceChildren(h('p', { class: 'state', role: 'status' }, `Loading ${name}…`));

  async function load() {
    try {
      ({ data: doc, version } = await api.get(name));
    } catch (error) {
      root.replaceChildren(error.status === 404
        ? h('div', { class: 'state empty' }, h('h1', {}, 'Not found'), h('p', {}, `There is no distributor named “${name}”.`),
          h('a', { href: '#/' }, 'Back to the list'))
        : message('error', `Could not load ${name}: ${error.message}`, h('button', { type: 'button', onclick: load }, 'Try again')));
      return;
    }
    draft = null;
    notice.replaceChildren();
    root.replaceChildren(h('p', { class: 'back' }, h('a', { href: '#/' }, '← Distributors')), header, notice,
      controls, backends, ratio, chart, transitions, revisions);
    renderDocument();
    backends.replaceChildren(h('h2', { id: 'backends-title' }, 'Backends'), h('p', { class: 'state', role: 'status' }, 'Loading live state…'));
    chart.replaceChildren(h('h2', { id: 'chart-title' }, 'Requests per second'), h('p', { class: 'state' }, 'Loading…'));
    transitions.replaceChildren(h('h2', { id: 'transitions-title' }, 'Health transitions'), h('p', { class: 'state' }, 'Loading…'));
    revisionsOffset = 0;
    loadRevisions();
    poll();
  }

  function renderDocument() {
    header.replaceChildren(
      h('h1', {}, doc.name, ' ', h('span', { class: doc.enabled ? 'badge up' : 'badge off' }, doc.enabled ? 'enabled' : 'disabled')),
      h('div', { class: 'actions' },
        h('span', { class: 'version' }, `version ${version}`),
        h('a', { class: 'button', href: `#/d/${encodeURIComponent(doc.name)}/edit` }, 'Edit'),
        h('button', { type: 'button', id: 'toggle-enabled', onclick: () => write(() => api.patch(name, { enabled: !doc.enabled }, version), doc.enabled ? 'Disabled.' : 'Enabled.') },
          doc.enabled ? 'Disable' : 'Enable'),
        h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete')));
    const routing = h('select', { id: 'routing' }, ROUTINGS.map(r => h('option', { value: r, selected: r === doc.routing }, r)));
    controls.replaceChildren(h('h2', { id: 'controls-title' }, 'Routing'),
      h('p', {}, 'Hostnames: ', doc.hostnames.join(', ')),
      h('div', { class: 'inline' }, h('label', { for: 'routing' }, 'Routing method'), routing,
        h('button', { type: 'button', onclick: () => routing.value !== doc.routing
          && write(() => api.patch(name, { routing: routing.value }, version), `Routing method is now ${routing.value}.`) }, 'Change')));
    renderRatio();
  }

  function renderRatio() {
    const list = doc.backends;
    const title = h('h2', { id: 'ratio-title' }, doc.routing === 'FAILOVER' ? 'Priority' : 'Traffic ratio');
    if (doc.routing === 'FAILOVER') {
      ratio.replaceChildren(title,
        h('p', {}, 'The first healthy backend in this order takes all traffic; traffic fails back when a higher one is UP again.'),
        h('ol', { class: 'priority' }, list.map((b, i) => h('li', {}, b.name, i === 0 ? ' — primary' : ' — backup'))),
        h('button', { type: 'button', id: 'swap', onclick: swap }, `Swap primary and backup (${list[0].name} ⇄ ${list[1].name})`));
      return;
    }
    if (list.length < 2) {
      ratio.replaceChildren(title, h('p', { class: 'state' }, `${list[0].name} takes all traffic. Add a backend (Edit) to split it.`));
      return;
    }
    const weights = draft || list.map(b => b.weight);
    const preview = h('p', { id: 'ratio-preview', class: 'preview', 'aria-live': 'polite' });
    const save = h('button', { type: 'button', id: 'save-ratio', class: 'primary', disabled: !draft,
      onclick: () => write(() => api.patch(name, { backends: withWeights(doc.backends, draft) }, version), 'Traffic ratio saved.') }, 'Save ratio');
    const reset = h('button', { type: 'button', disabled: !draft, onclick: () => { draft = null; renderRatio(); } }, 'Reset');
    const showPreview = current => {
      preview.textContent = 'New traffic: ' + shares(current).map((s, i) => `${list[i].name} ${s}%`).join(' · ');
    };
    let sliders;
    if (list.length === 2) {
      const percent = percentOfFirst(weights[0], weights[1]);
      const slider = h('input', { type: 'range', id: 'ratio', min: 0, max: 100, step: 1, value: percent,
        'aria-valuetext': `${list[0].name} ${percent}%, ${list[1].name} ${100 - percent}%` });
      slider.addEventListener('input', () => {
        draft = weightsFor(Number(slider.value));
        slider.setAttribute('aria-valuetext', `${list[0].name} ${draft[0]}%, ${list[1].name} ${draft[1]}%`);
        showPreview(draft);
        save.disabled = reset.disabled = false;
      });
      sliders = h('div', { class: 'slider-two' },
        h('label', { for: 'ratio' }, `Share of new traffic to ${list[0].name} (the rest to ${list[1].name})`),
        h('div', { class: 'slider-row' }, h('span', { 'aria-hidden': 'true' }, list[1].name), slider, h('span', { 'aria-hidden': 'true' }, list[0].name)));
    } else {
      const max = Math.max(100, ...weights);
      sliders = h('div', { class: 'slider-many' }, list.map((b, i) => {
        const out = h('output', { for: `weight-${i}` }, String(weights[i]));
        const slider = h('input', { type: 'range', id: `weight-${i}`, min: 0, max, step: 1, value: weights[i] });
        slider.addEventListener('input', () => {
          draft = (draft || list.map(x => x.weight)).slice();
          draft[i] = Number(slider.value);
          out.textContent = slider.value;
          showPreview(draft);
          save.disabled = reset.disabled = false;
        });
        return h('div', { class: 'slider-row' }, h('label', { for: `weight-${i}` }, `Weight of ${b.name}`), slider, out);
      }));
    }
    showPreview(weights);
    ratio.replaceChildren(title, sliders, preview,
      h('div', { class: 'actions' }, save, reset,
        list.length === 2 ? h('button', { type: 'button', id: 'swap', onclick: swap }, `Swap weights (${list[0].name} ⇄ ${list[1].name})`) : null));
  }

  function swap() {
    write(() => api.patch(name, { backends: swapped(doc.routing, doc.backends) }, version),
      doc.routing === 'FAILOVER' ? 'Primary and backup swapped.' : 'Weights swapped.');
  }

  async function remove() {
    if (!confirm(`Delete the distributor ${name}? Its hostnames stop being served.`)) return;
    try {
      await api.remove(name, version);
      location.hash = '#/';
    } catch (error) {
      failed(error);
    }
  }

  /** A write with the version last read; a 412 says so instead of overwriting someone else's change. */
  async function write(action, done) {
    try {
      ({ data: doc, version } = await action());
      draft = null;
      renderDocument();
      notice.replaceChildren(message('ok', `${done} Now version ${version}.`));
      revisionsOffset = 0; // the newest page, where this write now is
      loadRevisions();
      poll();
    } catch (error) {
      failed(error);
    }
  }

  function failed(error) {
    if (error.conflict) {
      notice.replaceChildren(message('conflict', 'Changed by someone else — reload to see the current version; nothing was overwritten.',
        h('button', { type: 'button', id: 'reload', onclick: load }, 'Reload')));
    } else if (error.violations.length) {
      notice.replaceChildren(message('error', error.problem.title || 'Not saved',
        h('ul', {}, error.violations.map(v => h('li', {}, `${v.field}: ${v.message}`)))));
    } else {
      notice.replaceChildren(message('error', `Not saved: ${error.message}`));
    }
  }

  async function poll() {
    clearTimeout(timer);
    if (gone) return;
    try {
      const [{ data: status }, { data: traffic }] = await Promise.all([api.status(name), api.traffic(name)]);
      if (gone) return;
      renderLive(status, traffic);
    } catch (error) {
      if (gone) return;
      backends.replaceChildren(h('h2', { id: 'backends-title' }, 'Backends'),
        message('error', `Live state unavailable: ${error.message} (retrying)`));
    }
    timer = setTimeout(poll, POLL_MILLIS);
  }

  function renderLive(status, traffic) {
    backends.replaceChildren(h('h2', { id: 'backends-title' }, 'Backends'),
      h('p', { hidden: !status.activeBackend }, 'Active backend: ', h('strong', { id: 'active-backend' }, status.activeBackend || '')),
      h('table', { class: 'backends' },
        h('thead', {}, h('tr', {}, ['Backend', 'URL', 'Weight', 'Health', 'Share', 'Last check'].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, status.backends.map(b => h('tr', { 'data-backend': b.name, class: b.name === status.activeBackend ? 'active' : null },
          h('th', { scope: 'row' }, b.name, b.name === status.activeBackend ? h('span', { class: 'badge active-badge' }, 'active') : null),
          h('td', { class: 'url' }, b.url),
          h('td', { class: 'weight' }, String(b.weight)),
          h('td', { class: 'health' }, h('span', { class: `badge ${b.health.toLowerCase()}` }, b.health)),
          h('td', { class: 'share' }, `${b.share}%`),
          h('td', { class: 'check' }, b.lastError ? `${b.lastError}` : (b.lastLatencyMillis != null ? `${b.lastLatencyMillis} ms` : '—')))))),
      h('p', { class: 'hint' }, 'Updated every 2 seconds. Share: the part of new traffic each backend takes now, after health.'));
    chart.replaceChildren(h('h2', { id: 'chart-title' }, 'Requests per second (last 5 minutes)'), trafficChart(traffic));
    const recent = traffic.backends.flatMap(b => b.transitions.map(t => ({ ...t, backend: b.name })))
      .sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 10);
    transitions.replaceChildren(h('h2', { id: 'transitions-title' }, 'Health transitions'),
      recent.length === 0
        ? h('p', { class: 'state empty' }, 'No health transitions since this service started.')
        : h('ol', { class: 'transitions' }, recent.map(t => h('li', {},
          h('time', { datetime: t.at }, new Date(t.at).toLocaleTimeString()), ' ',
          h('strong', {}, t.backend), ` ${t.from} → ${t.to}`, h('span', { class: 'reason' }, ` (${t.reason})`)))));
  }

  /**
   * Revisions (DESIGN §8) when this service has them, newest first, a page at a time: a 404 for the list means it
   * does not, and the panel stays hidden. A rollback sends If-Match with the version this page read, as every write.
   */
  async function loadRevisions() {
    let page;
    try {
      ({ data: page } = await api.revisions(name, REVISIONS_PAGE, revisionsOffset));
    } catch (error) {
      revisions.hidden = true;
      return;
    }
    if (gone) return;
    revisions.hidden = false;
    const title = h('h2', { id: 'revisions-title' }, 'Revisions');
    if (page.items.length === 0 && revisionsOffset > 0) {
      revisionsOffset = 0; // the history got shorter (td.revisions.keep): back to the newest
      loadRevisions();
      return;
    }
    if (page.items.length === 0) {
      revisions.replaceChildren(title, h('p', { class: 'state empty' }, 'No earlier versions.'));
      return;
    }
    const last = page.offset + page.items.length;
    const turn = offset => { revisionsOffset = offset; loadRevisions(); };
    revisions.replaceChildren(h('div', {}, title,
      h('table', { class: 'revisions' },
        h('thead', {}, h('tr', {}, ['Version', 'Changed', 'Change', 'Backends', ''].map(t => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, page.items.map(r => h('tr', { 'data-version': r.version, class: r.version === version ? 'active' : null },
          h('td', { class: 'version' }, String(r.version)),
          h('td', {}, h('time', { datetime: r.changedAt }, new Date(r.changedAt).toLocaleString())),
          h('td', { class: 'change' }, r.change),
          h('td', { class: 'weights' }, r.document.backends.map(b => `${b.name} ${b.weight}`).join(' · ')),
          h('td', {}, r.version === version ? 'current' : h('button', { type: 'button',
            onclick: () => write(() => api.rollback(name, r.version, version), `Rolled back to version ${r.version}.`) },
          `Roll back to ${r.version}`)))))),
      page.total > page.items.length ? h('div', { class: 'pager' },
        h('button', { type: 'button', disabled: page.offset === 0, onclick: () => turn(Math.max(0, page.offset - REVISIONS_PAGE)) }, '← Newer'),
        h('span', { class: 'count' }, `${formatNumber(page.offset + 1)}–${formatNumber(last)} of ${formatNumber(page.total)}`),
        h('button', { type: 'button', disabled: last >= page.total, onclick: () => turn(last) }, 'Older →')) : null));
  }

  load();
  return () => { gone = true; clearTimeout(timer); };
}
