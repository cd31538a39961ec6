// Forms: reading values, and showing the node's errors beside the control
// that caused them (the API's `field` matched to a control's data-field),
// announced through the form's live region.
import {h, uid} from './dom.js';
import {t} from './i18n.js';

function snake(path) {
  return String(path).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

// The control of `form` for the API field path `field`: the exact
// data-field, else the path without its first part ("case.title" for a
// form whose controls say "title"), else the nearest enclosing path
// ("case.workers[0]" for "case.workers[0].posting_period.start_date").
export function controlFor(form, field) {
  if (!field) return null;
  const controls = [...form.querySelectorAll('[data-field]')];
  const byPath = new Map(controls.map((c) => [snake(c.dataset.field), c]));
  let path = snake(field);
  const candidates = [];
  while (path) {
    candidates.push(path);
    const dot = path.indexOf('.');
    if (dot > 0) candidates.push(path.slice(dot + 1));
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    path = cut > 0 ? path.slice(0, cut) : '';
  }
  for (const candidate of candidates) {
    if (byPath.has(candidate)) return byPath.get(candidate);
  }
  return null;
}

// Removes the error marks a previous submit left.
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    el.setAttribute('aria-describedby', el.dataset.hint || '');
    if (!el.dataset.hint) el.removeAttribute('aria-describedby');
  }
  const live = liveRegion(form);
  live.textContent = '';
}

function liveRegion(form) {
  let live = form.querySelector(':scope > .form-status');
  if (!live) {
    live = h('p', {class: 'form-status', role: 'alert', 'aria-live': 'assertive'});
    form.prepend(live);
  }
  return live;
}

// Shows `error` (an ApiError or Error) on `form`: beside the matching
// control (aria-invalid, aria-describedby, focused) and in the form's live
// region; in the live region only when no control matches.
export function showError(form, error) {
  clearErrors(form);
  const message = error.message || String(error);
  const control = controlFor(form, error.field);
  const live = liveRegion(form);
  if (control) {
    // Beside the field, its path in front of the message says nothing more.
    const prefix = `${error.field}: `;
    const text = message.startsWith(prefix) ? message.slice(prefix.length) : message;
    const id = uid('err');
    const note = h('p', {class: 'field-error', id}, text);
    control.insertAdjacentElement('afterend', note);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby',
                         [id, control.dataset.hint].filter(Boolean).join(' '));
    const label = control.labels && control.labels[0] ? control.labels[0].textContent : error.field;
    live.textContent = t('error.field', {message: `${label}: ${text}`});
    control.focus();
  } else {
    live.textContent = error.code ? `${message} (${error.code})` : message;
  }
}

// Shows a success note in the form's live region.
export function showDone(form, message) {
  clearErrors(form);
  const live = liveRegion(form);
  live.classList.add('done');
  live.textContent = message;
}

// Wires `form`'s submit to `action(form)` (async): the submit button is
// disabled while it runs and errors are shown with showError.
export function onSubmit(form, action) {
  liveRegion(form);  // present before the first error, so it is announced
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = form.querySelectorAll('button[type=submit]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      clearErrors(form);
      await action(form);
    } catch (error) {
      showError(form, error);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  return form;
}

// The trimmed value of `form`'s control named `name` ('' when absent).
export function value(form, name) {
  const el = form.elements.namedItem(name);
  return el ? String(el.value || '').trim() : '';
}
