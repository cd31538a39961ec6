// One small form per change of a plan this authority may make now, as the
// node's plan rules allow it (server/domain/plan_rules.cc): the lead edits
// the draft, invites, proposes, adds and amends actions, starts, closes and
// cancels; an invited participant agrees or declines (coordinators only: it
// binds the authority); the lead and every agreed participant record
// findings for the actions they are responsible for and their part of the
// report; the lead (or ELA's node as coordinator) records the measured
// values of the indicators. Each calls PlanService/ActOnPlan. Users without
// the inspector or coordinator role (auditors) get no form: the node would
// refuse them.
import {call} from './api.js';
import {field, h} from './dom.js';
import {onSubmit} from './forms.js';
import {formatNumber, label, t} from './i18n.js';
import {announce, go} from './nav.js';
import {CATEGORIES, actionFields, canonicalContent, contentFields, fillAction, lines, readAction,
  readContent} from './plan_forms.js';
import {hasRole, session} from './session.js';

const LEAD_CHANGE = ['PLAN_STATE_DRAFT', 'PLAN_STATE_PROPOSED', 'PLAN_STATE_AGREED',
  'PLAN_STATE_IN_PROGRESS'];

// [action, who ('lead', 'invited', 'member': the lead or an agreed
// participant, 'measurer': the lead or ELA's node as coordinator), the
// plan states it is allowed in]. tests/web/transitions_check.py compares
// it with the node's table.
const RULES = [
  ['editDraft', 'lead', ['PLAN_STATE_DRAFT']],
  ['invite', 'lead', LEAD_CHANGE],
  ['addAction', 'lead', LEAD_CHANGE],
  ['amend', 'lead', LEAD_CHANGE],
  ['propose', 'lead', ['PLAN_STATE_DRAFT']],
  ['agree', 'invited', ['PLAN_STATE_PROPOSED']],
  ['decline', 'invited', ['PLAN_STATE_PROPOSED']],
  ['start', 'lead', ['PLAN_STATE_AGREED']],
  ['addFinding', 'member', ['PLAN_STATE_IN_PROGRESS']],
  ['submitReportPart', 'member', ['PLAN_STATE_IN_PROGRESS']],
  ['measure', 'measurer', ['PLAN_STATE_IN_PROGRESS', 'PLAN_STATE_REPORTED']],
  ['close', 'lead', ['PLAN_STATE_REPORTED']],
  ['cancel', 'lead', LEAD_CHANGE],
];

// What this node's authority is in `plan`: 'lead', 'invited', 'agreed',
// 'declined', 'ela-coordinator' or ''.
function standing(plan) {
  if (plan.lead === session.authority) return 'lead';
  const me = (plan.participants || []).find((x) => x.authority === session.authority);
  const ela = (plan.content && plan.content.ela) || {};
  if (!me && ela.authority === session.authority && ela.role === 'ELA_ROLE_COORDINATOR') {
    return 'ela-coordinator';
  }
  if (!me) return '';
  return {PARTICIPANT_STATUS_INVITED: 'invited', PARTICIPANT_STATUS_AGREED: 'agreed',
    PARTICIPANT_STATUS_DECLINED: 'declined'}[me.status] || '';
}

// The actions this authority is responsible for (where it records findings).
function myActions(plan) {
  return (plan.actions || []).filter((a) => a.responsible === session.authority);
}

// The indicators whose value is recorded by hand (the others are counted
// from the findings).
function manualIndicators(plan) {
  return ((plan.content && plan.content.indicators) || [])
    .filter((x) => x.source === 'INDICATOR_SOURCE_MANUAL');
}

// Whether the user may change plans at all (PlanService's roles).
export function mayChangePlans() {
  return session.roles.includes('ROLE_INSPECTOR') || session.roles.includes('ROLE_COORDINATOR');
}

// The changes this authority, through this user, may make to `plan` now,
// in table order.
export function allowedPlanActions(plan) {
  if (!mayChangePlans() || plan.confidential) return [];
  const mine = standing(plan);
  return RULES.filter(([action, who, states]) => {
    if (!states.includes(plan.state)) return false;
    if (who === 'measurer' && mine !== 'lead' && mine !== 'ela-coordinator') return false;
    if (action === 'measure' && !manualIndicators(plan).length) return false;
    if (who === 'lead' && mine !== 'lead') return false;
    if (who === 'invited' && (mine !== 'invited' || !hasRole('ROLE_COORDINATOR'))) return false;
    if (who === 'member' && mine !== 'lead' && mine !== 'agreed') return false;
    if (action === 'addFinding' && !myActions(plan).length) return false;
    return true;
  }).map(([action]) => action);
}


function number(text, name, path, value, step = '1') {
  return field(text, h('input', {type: 'number', min: '0', step, name,
    id: `plan-${name}`, 'data-field': path, value: value === undefined ? '' : String(value)}));
}

function reason(action, path) {
  return field(t('plan.field.reason'), h('textarea', {name: 'reason', id: `plan-${action}-reason`,
    'data-field': path}));
}

// The amendment: the content (as it is now), one action to change, the
// actions to remove (those without findings) and the reason.
function amendControls(plan) {
  const actions = plan.actions || [];
  const pick = h('select', {name: 'changed_id', id: 'plan-amend-changed', 'data-field': 'amend.changed_actions',
    onchange: (e) => {
      const a = actions.find((x) => x.id === e.target.value);
      const form = e.target.form;
      form.querySelector('#amend-action-fields').hidden = !a;
      fillAction(form, 'amend-action', a);
    }}, h('option', {value: ''}, t('plan.amend.no_action')),
  actions.map((a) => h('option', {value: a.id}, actionName(a))));
  const removable = actions.filter((a) => !(a.findings || []).length);
  return [
    h('fieldset', {}, h('legend', {}, t('plan.amend.content')),
      contentFields('amend', 'amend.content', plan.content)),
    h('fieldset', {}, h('legend', {}, t('plan.amend.action')),
      field(t('plan.amend.pick'), pick),
      h('div', {id: 'amend-action-fields', hidden: true},
        actionFields('amend-action', 'amend.changed_actions[0]', plan))),
    removable.length ? h('fieldset', {'data-field': 'amend.removed_actions', tabindex: '-1'},
      h('legend', {}, t('plan.amend.remove')),
      removable.map((a) => h('div', {class: 'field inline'},
        h('input', {type: 'checkbox', name: 'removed', value: a.id, id: `plan-remove-${a.id}`}),
        h('label', {for: `plan-remove-${a.id}`}, actionName(a))))) : null,
    field(t('plan.field.reason'), h('input', {type: 'text', name: 'reason', id: 'plan-amend-reason',
      'data-field': 'amend.reason'})),
  ];
}

function findingControls(plan) {
  return [
    field(t('plan.action'), h('select', {name: 'action_id', id: 'plan-finding-action',
      'data-field': 'add_finding.action_id'}, myActions(plan).map((a) =>
      h('option', {value: a.id}, `${actionName(a)} ${a.place || ''}`)))),
    number(t('plan.workers_checked'), 'workers_checked', 'add_finding.finding.workers_checked'),
    number(t('plan.field.undertakings_checked'), 'undertakings_checked',
      'add_finding.finding.undertakings_checked'),
    h('fieldset', {'data-field': 'add_finding.finding.irregularities', tabindex: '-1'},
      h('legend', {}, t('plan.irregularities')),
      h('p', {class: 'hint'}, t('plan.hint.irregularities')),
      CATEGORIES.map((c) => field(label(c), h('input', {type: 'number', min: '0', step: '1',
        name: `irregularity.${c}`, id: `plan-irr-${c}`, 'data-category': c})))),
    field(t('plan.field.request_ids'), h('textarea', {name: 'request_ids', id: 'plan-finding-requests',
      'data-field': 'add_finding.finding.request_ids'}), t('plan.hint.request_ids')),
    field(t('plan.field.notes'), h('textarea', {name: 'notes', id: 'plan-finding-notes',
      'data-field': 'add_finding.finding.notes'})),
  ];
}

function measureControls(plan) {
  const measured = new Map((plan.measured || []).map((v) => [v.indicatorId, v.value]));
  return [h('fieldset', {'data-field': 'measure.values', tabindex: '-1'},
    h('legend', {}, t('plan.indicators')),
    manualIndicators(plan).map((ind) => field(
      `${ind.id}${ind.description ? ` – ${ind.description}` : ''}${ind.unit ? ` (${ind.unit})` : ''}`,
      h('input', {type: 'number', step: 'any', name: `measure.${ind.id}`, id: `plan-measure-${ind.id}`,
        'data-indicator': ind.id, value: measured.has(ind.id) ? String(measured.get(ind.id)) : ''}),
      t('plan.hint.measure', {target: formatNumber(ind.target, 2)}))))];
}

function controls(plan, action) {
  switch (action) {
    case 'editDraft':
      return contentFields('edit', 'edit_draft.content', plan.content);
    case 'invite':
      return [field(t('plan.field.invite'), h('input', {type: 'text', size: 12, name: 'authority',
        id: 'plan-invite-authority', 'data-field': 'invite.authority'}), t('hint.authority'))];
    case 'addAction':
      return actionFields('add', 'add_action.action', plan);
    case 'amend':
      return amendControls(plan);
    case 'decline':
      return [reason('decline', 'decline.reason')];
    case 'cancel':
      return [reason('cancel', 'cancel.reason')];
    case 'submitReportPart':
      return [field(t('plan.field.report_text'), h('textarea', {name: 'text', id: 'plan-report-text',
        'data-field': 'submit_report_part.text'}))];
    case 'addFinding':
      return findingControls(plan);
    case 'measure':
      return measureControls(plan);
    default:
      return [];
  }
}

function text(form, name) {
  const el = form.elements.namedItem(name);
  return el ? String(el.value || '').trim() : '';
}

// A whole number of a count input ('' counts 0).
function count(raw) {
  return raw === '' ? 0 : Number(raw);
}

function readStep(form, plan, action) {
  switch (action) {
    case 'editDraft':
      return {content: readContent(form, 'edit', 'edit_draft.content')};
    case 'invite':
      return {authority: text(form, 'authority').toUpperCase()};
    case 'addAction':
      return {action: readAction(form, 'add')};
    case 'amend': {
      // The content goes only when the form changed it: an unchanged one
      // would still ask every participant to agree again.
      const content = readContent(form, 'amend', 'amend.content');
      const changed = JSON.stringify(content) !== JSON.stringify(canonicalContent(plan.content));
      const step = {removedActions: [...form.querySelectorAll('input[name=removed]:checked')]
        .map((c) => c.value), reason: text(form, 'reason')};
      if (changed) Object.assign(step, {content, replacesContent: true});
      const id = text(form, 'changed_id');
      if (id) step.changedActions = [Object.assign({id}, readAction(form, 'amend-action'))];
      return step;
    }
    case 'decline':
    case 'cancel':
      return {reason: text(form, 'reason')};
    case 'submitReportPart':
      return {text: text(form, 'text')};
    case 'addFinding':
      return {actionId: text(form, 'action_id'), finding: {
        workersChecked: count(text(form, 'workers_checked')),
        undertakingsChecked: count(text(form, 'undertakings_checked')),
        irregularities: CATEGORIES.map((c) => ({category: c, count: count(text(form, `irregularity.${c}`))}))
          .filter((x) => x.count !== 0),
        requestIds: lines(text(form, 'request_ids')),
        notes: text(form, 'notes')}};
    case 'measure':
      return {values: manualIndicators(plan).map((ind) => ({indicatorId: ind.id,
        raw: text(form, `measure.${ind.id}`)})).filter((v) => v.raw !== '')
        .map((v) => ({indicatorId: v.indicatorId, value: Number(v.raw)}))};
    default:
      return {};
  }
}

// Forms with many controls take the whole width of the grid.
const WIDE = ['editDraft', 'addAction', 'amend', 'addFinding'];

function actionForm(plan, action) {
  const form = h('form', {class: WIDE.includes(action) ? 'action wide' : 'action', 'data-action': action,
    'aria-labelledby': `plan-${action}-h`, novalidate: true},
  h('h3', {id: `plan-${action}-h`}, t(`plan.do.${action}`)),
  h('p', {class: 'hint'}, t(`plan.do.${action}.hint`)),
  controls(plan, action),
  h('button', {type: 'submit', id: `do-${action}`}, t(`plan.do.${action}`)));
  return onSubmit(form, async (f) => {
    await call('PlanService', 'ActOnPlan', {id: plan.id, step: {[action]: readStep(f, plan, action)}});
    announce(t('action.done', {action: t(`plan.do.${action}`)}));
    go(`#/plans/${encodeURIComponent(plan.id)}`);
  });
}

// "A1: Inspection": an action's id and kind, the kind as a label that can
// start a phrase in every language.
export function actionName(a) {
  const kind = label(a.kind);
  return t('plan.action_name', {id: a.id || '', kind: kind.charAt(0).toLocaleUpperCase() + kind.slice(1)});
}

// The forms of every change this authority may make to `plan` now; a note
// when there is none.
export function planActionForms(plan) {
  const actions = allowedPlanActions(plan);
  if (!actions.length) return h('p', {class: 'meta', id: 'no-actions'}, t('plan.nothing'));
  return h('div', {class: 'actions'}, actions.map((a) => actionForm(plan, a)));
}
