// Requests per second per backend over the last buckets, as a small SVG line chart (no library needed for this).
import { h, svg } from './dom.js';

export const COLOURS = ['#0b5cad', '#a3530b', '#1a7f37', '#7a3fc2', '#b3261e', '#0a6e74'];
const WIDTH = 640;
const HEIGHT = 180;
const LEFT = 44;
const BOTTOM = 22;

function niceMax(value) {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** traffic: the API's traffic view. */
export function trafficChart(traffic) {
  const series = traffic.backends;
  const buckets = series.length ? series[0].requestsPerSecond.length : 0;
  const peak = Math.max(0, ...series.flatMap(s => s.requestsPerSecond));
  const max = niceMax(peak);
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - BOTTOM - 8;
  const x = i => LEFT + (buckets <= 1 ? 0 : (i * plotWidth) / (buckets - 1));
  const y = v => 8 + plotHeight - (v / max) * plotHeight;
  const minutes = Math.round((buckets * traffic.bucketSeconds) / 60);
  const latest = series.map(s => `${s.name} ${s.requestsPerSecond[buckets - 1] ?? 0} per second`).join(', ');
  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img',
    'aria-label': `Requests per second over the last ${minutes} minutes; latest: ${latest || 'none'}`,
  });
  for (const fraction of [0, 0.5, 1]) {
    const value = max * fraction;
    chart.append(svg('line', { x1: LEFT, x2: WIDTH - 8, y1: y(value), y2: y(value), class: 'grid' }));
    const label = svg('text', { x: LEFT - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = Number.isInteger(value) ? value : value.toFixed(1);
    chart.append(label);
  }
  const start = svg('text', { x: LEFT, y: HEIGHT - 4, class: 'axis' });
  start.textContent = `−${minutes} min`;
  const end = svg('text', { x: WIDTH - 8, y: HEIGHT - 4, 'text-anchor': 'end', class: 'axis' });
  end.textContent = 'now';
  chart.append(start, end);
  series.forEach((s, index) => {
    const points = s.requestsPerSecond.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, fill: 'none', stroke: COLOURS[index % COLOURS.length], 'stroke-width': 2 }));
  });
  const legend = h('ul', { class: 'legend' }, series.map((s, index) => h('li', {},
    h('span', { class: 'swatch', style: `background:${COLOURS[index % COLOURS.length]}` }),
    `${s.name}: ${s.requestsPerSecond[buckets - 1] ?? 0}/s now`)));
  return h('figure', { class: 'chart-figure' }, chart, legend,
    h('figcaption', {}, `Requests per second per backend, ${traffic.bucketSeconds} s buckets, counted by this service process.`));
}
