// Building the page's elements without HTML strings: every text goes in as
// a text node, so data from the API can never become markup.

// h('p', {class: 'x', onclick: fn}, 'text', child, [more]): an element.
// Attributes: `class`, `for`, aria-* and data-* are set as attributes;
// `on<event>` adds a listener; boolean `true` sets an empty attribute,
// `false`/null/undefined leave it out. Children: strings, numbers, nodes,
// arrays of them; null/false are skipped.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value') {
      el.value = value;
    } else if (key === 'checked' || key === 'selected') {
      el[key] = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
}

// Replaces every child of `el` with `children`.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let nextId = 0;
// A unique element id with `prefix`, for label/aria-describedby pairs.
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// A labelled control: a wrapper div holding the label, the control (input,
// select or textarea built by the caller with its name and data-field) and
// an optional hint, linked with aria-describedby.
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('f');
  const wrap = h('div', {class: 'field'},
                 h('label', {for: control.id}, labelText), control);
  if (hint) {
    const hintId = uid('hint');
    wrap.appendChild(h('p', {class: 'hint', id: hintId}, hint));
    control.setAttribute('aria-describedby', hintId);
    control.dataset.hint = hintId;
  }
  return wrap;
}

// A table with a caption and column headers (th scope=col); `rows` are
// arrays of cells (strings or nodes). The first cell of each row is a
// row header (th scope=row).
export function table(caption, headers, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {scope: 'col'}, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c, i) =>
      i === 0 ? h('th', {scope: 'row'}, c) : h('td', {}, c))))));
}
