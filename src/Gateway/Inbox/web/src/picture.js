// An operation conflict as a picture: the two areas to scale (circles from centre and radius, with a scale bar) and
// the two time windows on one timeline with their overlap. No map tiles can be reached, so the page draws it itself.
// The other agency's area and window are drawn only when the match releases them (FULL release); otherwise the
// picture shows what is yours and says what is not released.
import { clock, distance, duration, h, s, when } from './dom.js';

const EARTH_METERS_PER_DEGREE = 111_320;

let figures = 0;

/**
 * own: { latitude, longitude, radiusMeters, startsAt, endsAt } (your operation)
 * counterpart: the match's counterpart ({ release, agency, fields: [{ name, value }] })
 */
export function conflictPicture(own, counterpart) {
  const id = `conflict-${++figures}`;
  const theirs = releasedOperation(counterpart);
  const agency = counterpart?.agency?.name ?? 'the other agency';
  const facts = [];
  const figure = h('figure', { class: 'conflict-picture', 'aria-labelledby': `${id}-caption` });

  const area = areaSketch(id, own, theirs, agency, facts);
  const timeline = timelineSketch(id, own, theirs, agency, facts);
  if (!theirs) {
    facts.push(`${agency}'s area and time window are not released to you (release: ${counterpart?.release ?? 'NONE'}): ` +
      'call the contact to deconflict.');
  }
  figure.append(
    h('div', { class: 'sketches' }, area, timeline),
    h('figcaption', { id: `${id}-caption` },
      h('strong', {}, 'Operation conflict, to scale. '),
      facts.map((fact) => h('span', { class: 'fact' }, fact, ' '))));
  return figure;
}

/** The other operation's area and window from a FULL release's fields; null when they are not released. */
export function releasedOperation(counterpart) {
  if (counterpart?.release !== 'FULL') {
    return null;
  }
  const field = (name) => counterpart.fields?.find((f) => f.name === name)?.value;
  const latitude = Number.parseFloat(field('latitude'));
  const longitude = Number.parseFloat(field('longitude'));
  const radiusMeters = Number.parseFloat(field('radiusMeters'));
  const startsAt = field('startsAt');
  const endsAt = field('endsAt');
  if ([latitude, longitude, radiusMeters].some(Number.isNaN) || !startsAt || !endsAt) {
    return null;
  }
  return { latitude, longitude, radiusMeters, startsAt, endsAt };
}

function areaSketch(id, own, theirs, agency, facts) {
  const width = 320;
  const height = 240;
  // Metres east and north of your operation's centre (an equirectangular projection: exact enough for a few km).
  const project = (point) => ({
    x: (point.longitude - own.longitude) * EARTH_METERS_PER_DEGREE * Math.cos((own.latitude * Math.PI) / 180),
    y: (point.latitude - own.latitude) * EARTH_METERS_PER_DEGREE,
  });
  const circles = [{ ...project(own), r: own.radiusMeters, who: 'yours' }];
  if (theirs) {
    circles.push({ ...project(theirs), r: theirs.radiusMeters, who: 'theirs' });
  }
  const minX = Math.min(...circles.map((c) => c.x - c.r));
  const maxX = Math.max(...circles.map((c) => c.x + c.r));
  const minY = Math.min(...circles.map((c) => c.y - c.r));
  const maxY = Math.max(...circles.map((c) => c.y + c.r));
  const margin = 24;
  const scale = Math.min((width - 2 * margin) / (maxX - minX || 1), (height - 2 * margin - 24) / (maxY - minY || 1));
  const centerX = (minX + maxX) / 2;
  const centerY = (minY + maxY) / 2;
  const toScreen = (c) => ({
    cx: width / 2 + (c.x - centerX) * scale,
    cy: (height - 24) / 2 - (c.y - centerY) * scale,
    r: Math.max(c.r * scale, 1.5),
  });

  const bar = scaleBar((width - 2 * margin) / scale / 3);
  const barPixels = bar * scale;
  const title = theirs ? 'The two operations’ areas, to scale' : 'Your operation’s area, to scale';
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'area',
    'aria-labelledby': `${id}-area-title ${id}-area-desc`,
  },
  s('title', { id: `${id}-area-title` }, title),
  circles.map((c) => {
    const p = toScreen(c);
    return s('circle', { cx: p.cx, cy: p.cy, r: p.r, class: `area-${c.who}` });
  }),
  circles.map((c) => {
    const p = toScreen(c);
    return s('circle', { cx: p.cx, cy: p.cy, r: 2.5, class: `centre-${c.who}` });
  }),
  s('g', { class: 'scale-bar', transform: `translate(${margin} ${height - 14})` },
    s('line', { x1: 0, y1: 0, x2: barPixels, y2: 0 }),
    s('line', { x1: 0, y1: -5, x2: 0, y2: 5 }),
    s('line', { x1: barPixels, y1: -5, x2: barPixels, y2: 5 }),
    s('text', { x: barPixels + 6, y: 4 }, distance(bar))),
  s('text', { x: width - margin, y: 14, class: 'north', 'text-anchor': 'end' }, '↑ north'));

  let description = `Your area: ${distance(own.radiusMeters)} around ${own.latitude.toFixed(5)}, ${own.longitude.toFixed(5)}.`;
  if (theirs) {
    const apart = Math.hypot(circles[1].x, circles[1].y);
    const overlap = own.radiusMeters + theirs.radiusMeters - apart;
    description += ` ${agency}'s area: ${distance(theirs.radiusMeters)} around ${theirs.latitude.toFixed(5)}, ` +
      `${theirs.longitude.toFixed(5)}. The centres are ${distance(apart)} apart, ` +
      (overlap > 0 ? `so the areas overlap by ${distance(overlap)}.` : 'so the areas touch or lie close together.');
  }
  facts.push(description);
  svg.append(s('desc', { id: `${id}-area-desc` }, description));
  return h('div', { class: 'sketch' }, svg, legend(theirs, agency));
}

function timelineSketch(id, own, theirs, agency, facts) {
  const width = 320;
  const rowHeight = 28;
  const rows = theirs ? 2 : 1;
  const height = 40 + rows * rowHeight + 24;
  const left = 8;
  const right = width - 8;
  const windows = [{ start: Date.parse(own.startsAt), end: Date.parse(own.endsAt), who: 'yours', label: 'Yours' }];
  if (theirs) {
    windows.push({ start: Date.parse(theirs.startsAt), end: Date.parse(theirs.endsAt), who: 'theirs', label: 'Theirs' });
  }
  const first = Math.min(...windows.map((w) => w.start));
  const last = Math.max(...windows.map((w) => w.end));
  const pad = (last - first || 3_600_000) * 0.08;
  const x = (time) => left + ((time - (first - pad)) / (last - first + 2 * pad)) * (right - left);

  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'timeline',
    'aria-labelledby': `${id}-time-title ${id}-time-desc`,
  }, s('title', { id: `${id}-time-title` }, theirs ? 'The two operations’ time windows' : 'Your operation’s time window'));

  let description = `Your window: ${when(own.startsAt)} to ${clockOrDate(own.startsAt, own.endsAt)}.`;
  if (theirs) {
    const start = Math.max(windows[0].start, windows[1].start);
    const end = Math.min(windows[0].end, windows[1].end);
    if (end > start) {
      svg.append(
        s('rect', { x: x(start), y: 14, width: Math.max(x(end) - x(start), 2), height: rows * rowHeight + 16, class: 'overlap' }),
        s('text', { x: (x(start) + x(end)) / 2, y: 10, 'text-anchor': 'middle', class: 'overlap-label' },
          `overlap ${duration(end - start)}`));
      description += ` ${agency}'s window: ${when(theirs.startsAt)} to ${clockOrDate(theirs.startsAt, theirs.endsAt)}. ` +
        `They overlap for ${duration(end - start)}, from ${when(new Date(start))} to ${clock(new Date(end))}.`;
    } else {
      description += ` ${agency}'s window: ${when(theirs.startsAt)} to ${clockOrDate(theirs.startsAt, theirs.endsAt)}.`;
    }
  }
  windows.forEach((w, i) => {
    const y = 22 + i * rowHeight;
    svg.append(
      s('rect', { x: x(w.start), y, width: Math.max(x(w.end) - x(w.start), 2), height: rowHeight - 10, rx: 3, class: `window-${w.who}` }),
      s('text', { x: x(w.start) + 4, y: y + rowHeight - 15, class: 'window-label' }, w.label));
  });
  const axisY = 22 + rows * rowHeight + 8;
  svg.append(
    s('line', { x1: left, y1: axisY, x2: right, y2: axisY, class: 'axis' }),
    s('text', { x: x(first), y: axisY + 14, class: 'tick' }, clock(new Date(first))),
    s('text', { x: x(last), y: axisY + 14, 'text-anchor': 'end', class: 'tick' }, clock(new Date(last))));
  facts.push(description);
  svg.append(s('desc', { id: `${id}-time-desc` }, description));
  return h('div', { class: 'sketch' }, svg);
}

function legend(theirs, agency) {
  return h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch swatch-yours', 'aria-hidden': 'true' }), 'Your operation'),
    theirs
      ? h('li', {}, h('span', { class: 'swatch swatch-theirs', 'aria-hidden': 'true' }), `${agency}'s operation`)
      : h('li', {}, `${agency}'s area: not released`));
}

// The end of a window as a time when it is the same day as its start, else as a date and time.
function clockOrDate(start, end) {
  return new Date(start).toDateString() === new Date(end).toDateString() ? clock(end) : when(end);
}

// A round length (1, 2 or 5 times a power of ten metres) no longer than the given one.
function scaleBar(meters) {
  const power = 10 ** Math.floor(Math.log10(Math.max(meters, 1)));
  return [5, 2, 1].map((m) => m * power).find((m) => m <= meters) ?? power;
}
