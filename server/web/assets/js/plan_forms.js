// The controls of a plan's content (pwx.v1.PlanContent) and of one of its
// actions (pwx.v1.PlanAction), and reading them back as protobuf JSON.
// Shared by the new-plan page (CreatePlan), the draft's edit and the
// amendment (js/plan_actions.js). Every control names the API field it
// fills (data-field, "create.content.title"), so the node's error shows
// beside it (js/forms.js); list fields (one item a line) take the errors of
// their items ("create.content.case_ids[1]").
import {ApiError} from './api.js';
import {field, h} from './dom.js';
import {label, t} from './i18n.js';

export const PLAN_KINDS = ['PLAN_KIND_JOINT_INSPECTION', 'PLAN_KIND_CONCERTED_INSPECTION',
  'PLAN_KIND_COOPERATION_PLAN'];
export const ACTION_KINDS = ['PLAN_ACTION_KIND_INSPECTION', 'PLAN_ACTION_KIND_INFORMATION_EXCHANGE',
  'PLAN_ACTION_KIND_INVESTIGATION', 'PLAN_ACTION_KIND_PREVENTION_CAMPAIGN',
  'PLAN_ACTION_KIND_COMMUNICATION_CAMPAIGN'];
export const SOURCES = ['INDICATOR_SOURCE_MANUAL', 'INDICATOR_SOURCE_WORKERS_CHECKED',
  'INDICATOR_SOURCE_UNDERTAKINGS_CHECKED', 'INDICATOR_SOURCE_IRREGULARITIES',
  'INDICATOR_SOURCE_REQUESTS_OPENED'];
export const CATEGORIES = ['IRREGULARITY_CATEGORY_PAY', 'IRREGULARITY_CATEGORY_WORKING_TIME',
  'IRREGULARITY_CATEGORY_SOCIAL_SECURITY', 'IRREGULARITY_CATEGORY_LETTERBOX_COMPANY',
  'IRREGULARITY_CATEGORY_BOGUS_SELF_EMPLOYMENT', 'IRREGULARITY_CATEGORY_SUBCONTRACTING',
  'IRREGULARITY_CATEGORY_HEALTH_AND_SAFETY', 'IRREGULARITY_CATEGORY_TRAFFICKING'];
const ELA_ROLES = ['ELA_ROLE_COORDINATOR', 'ELA_ROLE_OBSERVER'];

// Control ids are unique per form: `key` ("create", "edit", "amend")
// prefixes them, so two forms on one page never share an id.
const idOf = (key, name) => `${key}-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

// The non-empty lines of a textarea's value.
export function lines(text) {
  return String(text || '').split('\n').map((s) => s.trim()).filter(Boolean);
}

function read(form, name) {
  const el = form.elements.namedItem(name);
  return el ? String(el.value || '').trim() : '';
}

function text(key, prefix, name, value, hint, multiline = false) {
  const attrs = {name: `${key}.${name}`, id: idOf(key, name), 'data-field': `${prefix}.${name}`};
  const control = multiline ? h('textarea', Object.assign({value: value || ''}, attrs))
    : h('input', Object.assign({type: 'text', value: value || ''}, attrs));
  return field(t(`plan.field.${name}`), control, hint);
}

function indicatorRow(key, prefix, i, ind = {}) {
  const path = `${prefix}.indicators[${i}]`;
  const cell = (name, control) => {
    control.setAttribute('name', `${key}.ind.${name}`);
    control.setAttribute('data-field', `${path}.${name}`);
    control.id = idOf(key, `ind-${i}-${name}`);
    return field(t(`plan.indicator.${name}`), control);
  };
  return h('fieldset', {class: 'indicator', 'data-row': String(i)},
    h('legend', {}, t('plan.indicator.legend', {n: i + 1})),
    cell('id', h('input', {type: 'text', size: 12, value: ind.id || ''})),
    cell('description', h('input', {type: 'text', value: ind.description || ''})),
    cell('source', h('select', {}, SOURCES.map((s) =>
      h('option', {value: s, selected: s === (ind.source || SOURCES[0])}, label(s))))),
    cell('target', h('input', {type: 'number', min: '0', step: 'any',
      value: ind.target !== undefined ? String(ind.target) : ''})),
    h('div', {class: 'field inline'},
      h('input', {type: 'checkbox', name: `${key}.ind.at_most`, id: idOf(key, `ind-${i}-at-most`),
        'data-field': `${path}.at_most`, checked: Boolean(ind.atMost)}),
      h('label', {for: idOf(key, `ind-${i}-at-most`)}, t('plan.indicator.at_most'))),
    cell('unit', h('input', {type: 'text', size: 8, value: ind.unit || ''})));
}

// The controls of a PlanContent, filled with `content` (the plan's, for an
// edit or an amendment). `prefix` is the API path of the content
// ("create.content"); `key` makes the control ids unique.
export function contentFields(key, prefix, content = {}) {
  const c = content || {};
  const indicators = h('div', {class: 'indicators'},
    (c.indicators || []).map((ind, i) => indicatorRow(key, prefix, i, ind)));
  const addIndicator = h('button', {type: 'button', class: 'secondary', id: idOf(key, 'add-indicator'),
    onclick: () => {
      const row = indicatorRow(key, prefix, indicators.children.length);
      indicators.appendChild(row);
      row.querySelector('input').focus();
    }}, t('plan.indicator.add'));
  const ela = c.ela || {};
  return [
    text(key, prefix, 'title', c.title),
    text(key, prefix, 'strategic_objectives', (c.strategicObjectives || []).join('\n'),
      t('plan.hint.one_a_line'), true),
    text(key, prefix, 'operational_objectives', (c.operationalObjectives || []).join('\n'),
      t('plan.hint.one_a_line'), true),
    text(key, prefix, 'sectors', (c.sectors || []).join(', '), t('plan.hint.sectors')),
    text(key, prefix, 'targets', (c.targets || []).map((x) =>
      [x.name, x.registrationNumber, x.country].map((v) => v || '').join('; ')).join('\n'),
    t('plan.hint.targets'), true),
    text(key, prefix, 'case_ids', (c.caseIds || []).join('\n'), t('plan.hint.case_ids'), true),
    text(key, prefix, 'scope', c.scope, null, true),
    text(key, prefix, 'purpose', c.purpose, null, true),
    text(key, prefix, 'legal_basis', c.legalBasis),
    text(key, prefix, 'description', c.description, t('plan.hint.description'), true),
    h('div', {class: 'field inline'},
      h('input', {type: 'checkbox', name: `${key}.short_notice_allowed`, id: idOf(key, 'short-notice'),
        'data-field': `${prefix}.short_notice_allowed`, checked: Boolean(c.shortNoticeAllowed)}),
      h('label', {for: idOf(key, 'short-notice')}, t('plan.field.short_notice_allowed'))),
    h('fieldset', {},
      h('legend', {}, t('plan.field.ela')),
      field(t('plan.field.ela.authority'), h('input', {type: 'text', size: 12,
        name: `${key}.ela.authority`, id: idOf(key, 'ela-authority'),
        'data-field': `${prefix}.ela.authority`, value: ela.authority || ''}), t('plan.hint.ela')),
      field(t('plan.field.ela.role'), h('select', {name: `${key}.ela.role`, id: idOf(key, 'ela-role'),
        'data-field': `${prefix}.ela.role`}, ELA_ROLES.map((r) =>
        h('option', {value: r, selected: r === ela.role}, label(r)))))),
    field(t('plan.field.report_due_months'), h('input', {type: 'number', min: '0', step: '1',
      name: `${key}.report_due_months`, id: idOf(key, 'report-due-months'),
      'data-field': `${prefix}.report_due_months`,
      value: c.reportDueMonths ? String(c.reportDueMonths) : ''}), t('plan.hint.report_due_months')),
    h('fieldset', {'data-field': `${prefix}.indicators`, tabindex: '-1'},
      h('legend', {}, t('plan.indicators')), indicators, addIndicator),
  ];
}

// A number from an input, or an ApiError naming `path` when it is not one.
function number(raw, path) {
  if (raw === '') return 0;
  const n = Number(raw.replace(',', '.'));
  if (!Number.isFinite(n)) throw new ApiError(0, 'INVALID_ARGUMENT', t('plan.error.number'), path);
  return n;
}

// The PlanContent the controls of contentFields(key, prefix) hold.
export function readContent(form, key, prefix) {
  const c = {
    title: read(form, `${key}.title`),
    strategicObjectives: lines(read(form, `${key}.strategic_objectives`)),
    operationalObjectives: lines(read(form, `${key}.operational_objectives`)),
    sectors: read(form, `${key}.sectors`).split(/[,\n]/).map((s) => s.trim()).filter(Boolean),
    targets: lines(read(form, `${key}.targets`)).map((line) => {
      const [name, registrationNumber, country] = line.split(';').map((s) => s.trim());
      return {name: name || '', registrationNumber: registrationNumber || '',
        country: (country || '').toUpperCase()};
    }),
    caseIds: lines(read(form, `${key}.case_ids`)),
    scope: read(form, `${key}.scope`),
    purpose: read(form, `${key}.purpose`),
    legalBasis: read(form, `${key}.legal_basis`),
    description: read(form, `${key}.description`),
    shortNoticeAllowed: form.elements.namedItem(`${key}.short_notice_allowed`).checked,
    reportDueMonths: number(read(form, `${key}.report_due_months`), `${prefix}.report_due_months`),
    indicators: [...form.querySelectorAll('fieldset.indicator')].map((row, i) => {
      const get = (name) => {
        const el = row.querySelector(`[name="${key}.ind.${name}"]`);
        return el.type === 'checkbox' ? el.checked : String(el.value || '').trim();
      };
      return {id: get('id'), description: get('description'), source: get('source'),
        target: number(get('target'), `${prefix}.indicators[${i}].target`), atMost: get('at_most'),
        unit: get('unit')};
    }).filter((ind) => ind.id || ind.description),
  };
  const ela = read(form, `${key}.ela.authority`).toUpperCase();
  if (ela) c.ela = {authority: ela, role: read(form, `${key}.ela.role`)};
  return c;
}

// The authorities that may carry out an action: the lead and every
// participant that has not declined.
function responsibles(plan) {
  return [plan.lead, ...(plan.participants || [])
    .filter((x) => x.status !== 'PARTICIPANT_STATUS_DECLINED').map((x) => x.authority)]
    .filter(Boolean);
}

// The controls of a PlanAction, filled with `action`; `prefix` is its API
// path ("add_action.action").
export function actionFields(key, prefix, plan, action = {}) {
  const a = action || {};
  const control = (name, el, hint) => {
    el.setAttribute('name', `${key}.${name}`);
    el.setAttribute('data-field', `${prefix}.${name}`);
    el.id = idOf(key, name);
    return field(t(`plan.field.action.${name}`), el, hint);
  };
  return [
    control('kind', h('select', {}, ACTION_KINDS.map((k) =>
      h('option', {value: k, selected: k === a.kind}, label(k))))),
    control('date', h('input', {type: 'date', value: a.date || ''})),
    control('end_date', h('input', {type: 'date', value: a.endDate || ''}), t('plan.hint.end_date')),
    control('place', h('input', {type: 'text', value: a.place || ''})),
    control('responsible', h('select', {}, responsibles(plan).map((x) =>
      h('option', {value: x, selected: x === (a.responsible || plan.lead)}, x)))),
    control('inspectors', h('textarea', {value: (a.inspectors || []).join('\n')}),
      t('plan.hint.one_a_line')),
    control('description', h('textarea', {value: a.description || ''})),
  ];
}

// The PlanAction the controls of actionFields(key, ...) hold.
export function readAction(form, key) {
  const action = {kind: read(form, `${key}.kind`), date: read(form, `${key}.date`),
    place: read(form, `${key}.place`), responsible: read(form, `${key}.responsible`),
    inspectors: lines(read(form, `${key}.inspectors`)),
    description: read(form, `${key}.description`)};
  const end = read(form, `${key}.end_date`);
  if (end) action.endDate = end;
  return action;
}

// Sets the controls of actionFields(key, ...) to `action`'s terms (when the
// amendment's action to change is picked).
export function fillAction(form, key, action = {}) {
  const set = (name, value) => {
    const el = form.elements.namedItem(`${key}.${name}`);
    if (el) el.value = value || '';
  };
  set('kind', action.kind || ACTION_KINDS[0]);
  set('date', action.date);
  set('end_date', action.endDate);
  set('place', action.place);
  set('responsible', action.responsible);
  set('inspectors', (action.inspectors || []).join('\n'));
  set('description', action.description);
}

// `content` (a plan's, from the API) in the shape readContent gives, so
// that an amendment can tell whether the form changed it.
export function canonicalContent(content) {
  const c = content || {};
  const texts = (xs) => (xs || []).map((x) => String(x).trim()).filter(Boolean);
  const out = {
    title: c.title || '', strategicObjectives: texts(c.strategicObjectives),
    operationalObjectives: texts(c.operationalObjectives), sectors: texts(c.sectors),
    targets: (c.targets || []).map((x) => ({name: x.name || '',
      registrationNumber: x.registrationNumber || '', country: x.country || ''})),
    caseIds: texts(c.caseIds), scope: (c.scope || '').trim(), purpose: (c.purpose || '').trim(),
    legalBasis: (c.legalBasis || '').trim(), description: (c.description || '').trim(),
    shortNoticeAllowed: Boolean(c.shortNoticeAllowed), reportDueMonths: Number(c.reportDueMonths || 0),
    indicators: (c.indicators || []).map((ind) => ({id: ind.id || '', description: ind.description || '',
      source: ind.source || SOURCES[0], target: Number(ind.target || 0), atMost: Boolean(ind.atMost),
      unit: ind.unit || ''})),
  };
  if (c.ela && c.ela.authority) out.ela = {authority: c.ela.authority, role: c.ela.role || ELA_ROLES[0]};
  return out;
}
