// A few lines to build elements; text always goes in as text (never as HTML), so names from the API cannot inject.

/** h('p', {class: 'x', onclick: f}, 'text', child, [children]) */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key in element && typeof value !== 'string') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A message box: kind 'error' (role alert), 'conflict' (role alert) or 'ok' (role status). */
export function message(kind, text, ...actions) {
  return h('div', { class: `message ${kind}`, role: kind === 'ok' ? 'status' : 'alert' }, h('span', {}, text), ...actions);
}

export function formatNumber(n) {
  return new Intl.NumberFormat('en').format(n);
}
