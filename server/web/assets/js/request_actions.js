// One small form per transition the user's side may make now; each calls
// RequestService/Act with the request's history length, so an action made
// on an out-of-date view is refused (ABORTED) instead of applied.
import {call} from './api.js';
import {field, h} from './dom.js';
import {onSubmit} from './forms.js';
import {label, t} from './i18n.js';
import {announce, go} from './nav.js';
import {modifyControls, readModify} from './request_modify.js';
import {allowedActions, isPenalty} from './transitions.js';

const GROUNDS = ['REFUSAL_GROUND_INCOMPLETE', 'REFUSAL_GROUND_MISMATCH',
  'REFUSAL_GROUND_DISPROPORTIONATE_COST', 'REFUSAL_GROUND_BELOW_THRESHOLD',
  'REFUSAL_GROUND_FUNDAMENTAL_RIGHTS'];

const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s) => s.replace(/_([a-z])/g, (m, c) => c.toUpperCase());

// The controls of each action: [field name (snake_case, as the node names
// it in errors), kind].
const FIELDS = {
  send: [],
  accept: [['expected_date', 'date']],
  acknowledge: [],
  answer: [['text', 'textarea'], ['partial', 'checkbox']],
  clarify: [['text', 'textarea']],
  reply: [['text', 'textarea']],
  delay: [['reason', 'text'], ['proposed_date', 'date']],
  forward: [['to', 'authority'], ['reason', 'text']],
  split: [['to', 'authority'], ['questions', 'questions'], ['reason', 'text']],
  reject: [['reason', 'text'], ['ground', 'ground']],
  proposeDate: [['date', 'date'], ['reason', 'text']],
  acceptDate: [],
  modify: [],  // js/request_modify.js
  challenge: [['reason', 'text']],
  resume: [],
  close: [['rating.timeliness', 'rating'], ['rating.effort', 'rating']],
  reopen: [['reason', 'text']],
  withdraw: [['reason', 'text']],
};

function control(request, action, name, kind) {
  const path = `${snake(action)}.${name}`;
  const id = `act-${action}-${name.replace(/\W/g, '-')}`;
  const base = {name, id, 'data-field': path};
  const text = t(`action.field.${name}`);
  switch (kind) {
    case 'textarea':
      return field(text, h('textarea', base));
    case 'checkbox':
      return h('div', {class: 'field inline'},
        h('input', Object.assign({type: 'checkbox'}, base)), h('label', {for: id}, text));
    case 'date':
      return field(text, h('input', Object.assign({type: 'date'}, base)));
    case 'authority':
      return field(text, h('input', Object.assign({type: 'text', size: 12}, base)), t('hint.authority'));
    case 'ground':
      if (!isPenalty(request)) return null;
      return field(text, h('select', base, GROUNDS.map((g) => h('option', {value: g}, label(g)))));
    case 'rating':
      return field(text, h('select', base,
        h('option', {value: 'POSITIVE'}, t('rating.positive')),
        h('option', {value: 'NEGATIVE'}, t('rating.negative'))));
    case 'questions':
      return h('fieldset', {'data-field': path, tabindex: '-1'},
        h('legend', {}, text),
        (request.content.questions || []).map((q, i) => h('div', {class: 'field inline'},
          h('input', {type: 'checkbox', name: 'questions', value: String(i), id: `${id}-${i}`}),
          h('label', {for: `${id}-${i}`}, `${i + 1}. ${q.code || ''} ${q.catalogueText || q.text || ''}`))));
    default:
      return field(text, h('input', Object.assign({type: 'text'}, base)));
  }
}

function readStep(form, request, action) {
  const body = {};
  for (const [name, kind] of FIELDS[action]) {
    const el = form.elements.namedItem(name);
    if (kind === 'questions') {
      body.questions = [...form.querySelectorAll('input[name=questions]:checked')]
        .map((c) => Number(c.value));
      continue;
    }
    if (!el) continue;
    let v = kind === 'checkbox' ? el.checked : String(el.value || '').trim();
    if (v === '' || v === false) continue;
    if (kind === 'ground') v = String(v);
    const parts = name.split('.');
    let target = body;
    for (const part of parts.slice(0, -1)) {
      target[camel(part)] = target[camel(part)] || {};
      target = target[camel(part)];
    }
    target[camel(parts[parts.length - 1])] = v;
  }
  if (action === 'modify') return readModify(form, request);
  return body;
}

function actionForm(request, action, catalogue) {
  const form = h('form', {class: action === 'modify' ? 'action wide' : 'action', 'data-action': action,
    'aria-labelledby': `act-${action}-h`},
  h('h3', {id: `act-${action}-h`}, t(`action.${action}`)),
  h('p', {class: 'hint'}, t(`action.${action}.hint`)),
  action === 'modify' ? modifyControls(request, catalogue)
    : FIELDS[action].map(([name, kind]) => control(request, action, name, kind)),
  h('button', {type: 'submit', id: `do-${action}`}, t(`action.${action}`)));
  return onSubmit(form, async (f) => {
    const step = {[action]: readStep(f, request, action)};
    await call('RequestService', 'Act', {id: request.id, step,
      expectedHistory: (request.history || []).length});
    announce(t('action.done', {action: t(`action.${action}`)}));
    go(`#/requests/${encodeURIComponent(request.id)}`);
  });
}

// The forms of every action the user's side may make on `request` now; a
// note when there is none. `catalogue` (ListQuestions) feeds the
// modification's questions.
export function actionForms(request, catalogue) {
  const actions = allowedActions(request, request.mySide);
  if (!actions.length) return h('p', {class: 'meta', id: 'no-actions'}, t('action.none'));
  const seen = new Set();
  return h('div', {class: 'actions'}, actions.filter((a) => !seen.has(a) && seen.add(a))
    .map((a) => actionForm(request, a, catalogue)));
}
