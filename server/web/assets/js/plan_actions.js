// One small form per change of a plan this authority may make now, as the
// node's plan rules allow it (server/domain/plan_rules.cc): the lead
// proposes, starts, closes and cancels; an invited participant agrees or
// declines (coordinators only: it binds the authority); the lead and every
// agreed participant record findings for the actions they are responsible
// for and their part of the report. Each calls PlanService/ActOnPlan.
import {call} from './api.js';
import {field, h} from './dom.js';
import {onSubmit} from './forms.js';
import {label, t} from './i18n.js';
import {announce, go} from './nav.js';
import {hasRole, session} from './session.js';

// [action, who ('lead', 'invited', 'member': the lead or an agreed
// participant), the plan states it is allowed in].
const RULES = [
  ['propose', 'lead', ['PLAN_STATE_DRAFT']],
  ['agree', 'invited', ['PLAN_STATE_PROPOSED']],
  ['decline', 'invited', ['PLAN_STATE_PROPOSED']],
  ['start', 'lead', ['PLAN_STATE_AGREED']],
  ['addFinding', 'member', ['PLAN_STATE_IN_PROGRESS']],
  ['submitReportPart', 'member', ['PLAN_STATE_IN_PROGRESS']],
  ['close', 'lead', ['PLAN_STATE_REPORTED']],
  ['cancel', 'lead', ['PLAN_STATE_DRAFT', 'PLAN_STATE_PROPOSED', 'PLAN_STATE_AGREED',
    'PLAN_STATE_IN_PROGRESS']],
];

// What this node's authority is in `plan`: 'lead', 'invited', 'agreed',
// 'declined' or ''.
function standing(plan) {
  if (plan.lead === session.authority) return 'lead';
  const me = (plan.participants || []).find((x) => x.authority === session.authority);
  if (!me) return '';
  return {PARTICIPANT_STATUS_INVITED: 'invited', PARTICIPANT_STATUS_AGREED: 'agreed',
    PARTICIPANT_STATUS_DECLINED: 'declined'}[me.status] || '';
}

// The actions this authority is responsible for (where it records findings).
function myActions(plan) {
  return (plan.actions || []).filter((a) => a.responsible === session.authority);
}

export function allowedPlanActions(plan) {
  const mine = standing(plan);
  return RULES.filter(([action, who, states]) => {
    if (!states.includes(plan.state)) return false;
    if (who === 'lead' && mine !== 'lead') return false;
    if (who === 'invited' && (mine !== 'invited' || !hasRole('ROLE_COORDINATOR'))) return false;
    if (who === 'member' && mine !== 'lead' && mine !== 'agreed') return false;
    if (action === 'addFinding' && !myActions(plan).length) return false;
    return true;
  }).map(([action]) => action);
}

function number(text, name, path) {
  return field(text, h('input', {type: 'number', min: '0', step: '1', name,
    id: `plan-${name}`, 'data-field': path}));
}

function controls(plan, action) {
  switch (action) {
    case 'decline':
      return [field(t('plan.field.reason'), h('textarea', {name: 'reason', id: 'plan-decline-reason',
        'data-field': 'decline.reason'}))];
    case 'cancel':
      return [field(t('plan.field.reason'), h('textarea', {name: 'reason', id: 'plan-cancel-reason',
        'data-field': 'cancel.reason'}))];
    case 'submitReportPart':
      return [field(t('plan.field.report_text'), h('textarea', {name: 'text', id: 'plan-report-text',
        'data-field': 'submit_report_part.text'}))];
    case 'addFinding':
      return [
        field(t('plan.action'), h('select', {name: 'action_id', id: 'plan-finding-action',
          'data-field': 'add_finding.action_id'}, myActions(plan).map((a) =>
          h('option', {value: a.id}, `${a.id} ${label(a.kind)} ${a.place || ''}`)))),
        number(t('plan.workers_checked'), 'workers_checked', 'add_finding.finding.workers_checked'),
        number(t('plan.field.undertakings_checked'), 'undertakings_checked',
          'add_finding.finding.undertakings_checked'),
        field(t('plan.field.notes'), h('textarea', {name: 'notes', id: 'plan-finding-notes',
          'data-field': 'add_finding.finding.notes'})),
      ];
    default:
      return [];
  }
}

function text(form, name) {
  const el = form.elements.namedItem(name);
  return el ? String(el.value || '').trim() : '';
}

function readStep(form, action) {
  switch (action) {
    case 'decline':
    case 'cancel':
      return {reason: text(form, 'reason')};
    case 'submitReportPart':
      return {text: text(form, 'text')};
    case 'addFinding':
      return {actionId: text(form, 'action_id'), finding: {
        workersChecked: Number(text(form, 'workers_checked') || 0),
        undertakingsChecked: Number(text(form, 'undertakings_checked') || 0),
        notes: text(form, 'notes')}};
    default:
      return {};
  }
}

function actionForm(plan, action) {
  const form = h('form', {class: 'action', 'data-action': action,
    'aria-labelledby': `plan-${action}-h`},
  h('h3', {id: `plan-${action}-h`}, t(`plan.do.${action}`)),
  h('p', {class: 'hint'}, t(`plan.do.${action}.hint`)),
  controls(plan, action),
  h('button', {type: 'submit', id: `do-${action}`}, t(`plan.do.${action}`)));
  return onSubmit(form, async (f) => {
    await call('PlanService', 'ActOnPlan', {id: plan.id, step: {[action]: readStep(f, action)}});
    announce(t('action.done', {action: t(`plan.do.${action}`)}));
    go(`#/plans/${encodeURIComponent(plan.id)}`);
  });
}

// The forms of every change this authority may make to `plan` now; a note
// when there is none.
export function planActionForms(plan) {
  const actions = allowedPlanActions(plan);
  if (!actions.length) return h('p', {class: 'meta', id: 'no-actions'}, t('plan.nothing'));
  return h('div', {class: 'actions'}, actions.map((a) => actionForm(plan, a)));
}
