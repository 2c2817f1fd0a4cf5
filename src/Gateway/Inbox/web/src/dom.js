// A tiny element builder: text is always set as text (never parsed as HTML), so nothing from the hub can inject markup.

/** h('p', { class: 'x', onclick: fn }, 'text', child) */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  applyAttributes(element, attributes);
  append(element, children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** The same for SVG elements. */
export function s(tag, attributes, ...children) {
  const element = document.createElementNS(SVG, tag);
  applyAttributes(element, attributes);
  append(element, children);
  return element;
}

function applyAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short' });

/** "1 Dec 2026, 10:00" in the officer's time zone. */
export function when(value) {
  return value ? dateTime.format(new Date(value)) : '';
}

/** "10:00" */
export function clock(value) {
  return timeOnly.format(new Date(value));
}

/** "1 h 30 min", "45 min", "2 days 3 h" */
export function duration(milliseconds) {
  let minutes = Math.round(milliseconds / 60000);
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  const parts = [];
  if (days) parts.push(`${days} day${days === 1 ? '' : 's'}`);
  if (hours) parts.push(`${hours} h`);
  if (minutes || parts.length === 0) parts.push(`${minutes} min`);
  return parts.join(' ');
}

/** "350 m", "1.2 km" */
export function distance(meters) {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(meters < 10000 ? 1 : 0)} km`;
}

/** Words for the hub's enumeration values: PERSON_IDENTITY -> "person identity". */
export function words(value) {
  return String(value ?? '').toLowerCase().replaceAll('_', ' ');
}
