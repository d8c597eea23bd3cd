// Create and edit: the API validates, and each of its violations is shown at the field it names.
import { api } from './api.js';
import { h, message } from './dom.js';

const ROUTINGS = ['ROUND_ROBIN', 'STICKY_SESSIONS', 'FAILOVER'];
let fieldIds = 0;

/** A labelled input whose violations (field path `field`) show beneath it. */
function field(label, fieldPath, input, hint) {
  const id = input.id || `f${++fieldIds}`;
  input.id = id;
  input.dataset.field = fieldPath;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', `${id}-error`);
  return h('div', { class: 'field', 'data-field-box': fieldPath }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'hint' }, hint) : null, error);
}

export function formView(root, name) {
  const editing = Boolean(name);
  let doc = null;
  let version = null;
  root.replaceChildren(h('p', { class: 'state', role: 'status' }, editing ? `Loading ${name}…` : 'Loading…'));

  async function start() {
    if (editing) {
      try {
        ({ data: doc, version } = await api.get(name));
      } catch (error) {
        root.replaceChildren(message('error', `Could not load ${name}: ${error.message}`,
          h('button', { type: 'button', onclick: start }, 'Try again')));
        return;
      }
    } else {
      doc = { name: '', hostnames: [], routing: 'ROUND_ROBIN', enabled: true,
        backends: [{ name: '', url: '', weight: 1 }, { name: '', url: '', weight: 1 }] };
    }
    render();
  }

  function backendRow(backend, index) {
    const row = h('fieldset', { class: 'backend-row' },
      h('legend', {}, `Backend ${index + 1}`),
      field('Name', `backends[${index}].name`, h('input', { id: `backend-${index}-name`, value: backend.name, autocomplete: 'off' })),
      field('URL', `backends[${index}].url`, h('input', { id: `backend-${index}-url`, value: backend.url, type: 'url', placeholder: 'http://10.0.0.5:8080' })),
      field('Weight', `backends[${index}].weight`, h('input', { id: `backend-${index}-weight`, value: String(backend.weight ?? 1), type: 'number', min: 0, max: 1000 })),
      h('button', { type: 'button', class: 'link', onclick: () => { row.remove(); renumber(); } }, `Remove backend ${index + 1}`));
    return row;
  }

  let rows;
  function renumber() {
    // Field paths follow the list order, as the API's violations do.
    [...rows.children].forEach((row, i) => {
      row.querySelector('legend').textContent = `Backend ${i + 1}`;
      for (const key of ['name', 'url', 'weight']) row.querySelector(`[data-field$=".${key}"]`).dataset.field = `backends[${i}].${key}`;
      row.querySelector('button').textContent = `Remove backend ${i + 1}`;
    });
  }

  function render() {
    const summary = h('div', { id: 'form-errors' });
    rows = h('div', { class: 'backend-rows', 'data-field': 'backends', tabindex: '-1' }, doc.backends.map(backendRow));
    const healthCheck = doc.healthCheck || {};
    const form = h('form', { novalidate: true, onsubmit: event => { event.preventDefault(); submit(form, summary); } },
      field('Name', 'name', h('input', { id: 'name', value: doc.name, disabled: editing, autocomplete: 'off' }),
        editing ? 'The name is the key in URLs and cannot change.' : 'Lower-case letters, digits and hyphens.'),
      field('Hostnames', 'hostnames', h('textarea', { id: 'hostnames', rows: 3, value: doc.hostnames.join('\n') }),
        'One per line; *.example.com for every name under example.com.'),
      field('Routing method', 'routing', h('select', { id: 'routing-method' },
        ROUTINGS.map(r => h('option', { value: r, selected: r === doc.routing }, r)))),
      h('div', { class: 'field checkbox' }, h('input', { id: 'enabled', type: 'checkbox', checked: doc.enabled, 'data-field': 'enabled' }),
        h('label', { for: 'enabled' }, 'Enabled (serve traffic)')),
      h('h2', {}, 'Backends'),
      h('div', { class: 'field', 'data-field-box': 'backends' }, rows, h('p', { class: 'field-error', hidden: true })),
      h('button', { type: 'button', onclick: () => { rows.append(backendRow({ name: '', url: '', weight: 1 }, rows.children.length)); } }, 'Add backend'),
      h('h2', {}, 'Health check'),
      field('Path', 'healthCheck.path', h('input', { id: 'hc-path', value: healthCheck.path ?? '/' })),
      field('Interval (seconds)', 'healthCheck.intervalSeconds', h('input', { id: 'hc-interval', type: 'number', value: String(healthCheck.intervalSeconds ?? 5) })),
      summary,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', id: 'save' }, editing ? 'Save changes' : 'Create distributor'),
        h('a', { class: 'button', href: editing ? `#/d/${encodeURIComponent(name)}` : '#/' }, 'Cancel')));
    root.replaceChildren(h('p', { class: 'back' }, h('a', { href: '#/' }, '← Distributors')),
      h('h1', {}, editing ? `Edit ${name}` : 'New distributor'), form);
  }

  function read(form) {
    const value = id => form.querySelector(`#${id}`).value;
    const number = id => (value(id).trim() === '' ? null : Number(value(id)));
    const backends = [...rows.children].map(row => ({
      name: row.querySelector('[data-field$=".name"]').value.trim(),
      url: row.querySelector('[data-field$=".url"]').value.trim(),
      weight: row.querySelector('[data-field$=".weight"]').value.trim() === '' ? null : Number(row.querySelector('[data-field$=".weight"]').value),
    }));
    const document = {
      ...(editing ? stripReadOnly(doc) : {}),
      name: editing ? doc.name : value('name').trim(),
      hostnames: value('hostnames').split('\n').map(s => s.trim()).filter(Boolean),
      routing: value('routing-method'),
      enabled: form.querySelector('#enabled').checked,
      backends,
      healthCheck: { ...(doc.healthCheck || {}), path: value('hc-path'), intervalSeconds: number('hc-interval') },
    };
    return document;
  }

  async function submit(form, summary) {
    clearErrors(form, summary);
    const document = read(form);
    const save = form.querySelector('#save');
    save.disabled = true;
    try {
      const { data } = editing ? await api.replace(name, document, version) : await api.create(document);
      location.hash = `#/d/${encodeURIComponent(data.name)}`;
    } catch (error) {
      save.disabled = false;
      showErrors(form, summary, error);
    }
  }

  function showErrors(form, summary, error) {
    if (error.conflict) {
      summary.replaceChildren(message('conflict', 'Changed by someone else — reload to edit the current version; nothing was overwritten.',
        h('button', { type: 'button', onclick: start }, 'Reload')));
      return;
    }
    const unplaced = [];
    let first = null;
    for (const violation of error.violations) {
      const input = placeOf(form, violation.field);
      if (!input) {
        unplaced.push(violation);
        continue;
      }
      const box = input.closest('[data-field-box]') || input.parentElement;
      const text = box.querySelector(':scope > .field-error');
      if (text) {
        text.hidden = false;
        text.textContent = text.textContent ? `${text.textContent}; ${violation.message}` : violation.message;
      } else {
        unplaced.push(violation);
      }
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    }
    if (error.violations.length === 0 || unplaced.length) {
      summary.replaceChildren(message('error', error.violations.length ? 'Please correct these:' : `Not saved: ${error.message}`,
        unplaced.length ? h('ul', {}, unplaced.map(v => h('li', {}, `${v.field}: ${v.message}`))) : null));
    } else {
      summary.replaceChildren(message('error', `Not saved: ${error.violations.length} field${error.violations.length > 1 ? 's need' : ' needs'} correcting (shown at each).`));
    }
    (first || summary).focus?.();
  }

  start();
  return () => {};
}

/** The input for a violation's field: that path, else its closest enclosing one (hostnames[2] → hostnames). */
function placeOf(form, fieldPath) {
  let path = fieldPath;
  while (path) {
    const input = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (input) return input;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    path = cut > 0 ? path.slice(0, cut) : '';
  }
  return null;
}

function clearErrors(form, summary) {
  summary.replaceChildren();
  form.querySelectorAll('.field-error').forEach(e => { e.hidden = true; e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach(e => e.removeAttribute('aria-invalid'));
}

function stripReadOnly(document) {
  const { id, version, createdAt, updatedAt, ...rest } = document;
  return rest;
}
