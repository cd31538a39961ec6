// Joint inspection plans: the list, a new plan (CreatePlan), and a plan's
// page with its content, indicators, schedule, participants and their
// status, findings, the report, and the changes this authority may make
// now (js/plan_actions.js).
import {ApiError, call} from './api.js';
import {field, h, table} from './dom.js';
import {onSubmit, value} from './forms.js';
import {formatDay, formatNumber, formatTime, label, t} from './i18n.js';
import {announce, go} from './nav.js';
import {actionName, mayChangePlans, planActionForms} from './plan_actions.js';
import {PLAN_KINDS, contentFields, lines, readContent} from './plan_forms.js';

export async function renderPlanList() {
  const answer = await call('PlanService', 'ListPlans', {pageSize: 100});
  const plans = answer.plans || [];
  return h('section', {}, h('h1', {}, t('nav.plans')),
    mayChangePlans() ? h('p', {}, h('a', {href: '#/plans/new', id: 'new-plan-link'}, t('plans.new'))) : null,
    plans.length ? table(t('nav.plans'), [t('plan.id'), t('plan.title'), t('plan.lead'), t('plan.state')],
      plans.map((p) => [h('a', {href: `#/plans/${encodeURIComponent(p.id)}`}, p.id),
        (p.content && p.content.title) || '', p.lead || '', label(p.state)]))
      : h('p', {class: 'meta'}, t('none')));
}

// A new plan led by this node's authority, saved as a draft: its kind, its
// content and the authorities invited. No API call to render.
export async function renderPlanNew() {
  if (!mayChangePlans()) {
    return h('section', {}, h('h1', {}, t('plans.new')), h('p', {class: 'meta', id: 'no-actions'},
      t('plan.nothing')));
  }
  const form = onSubmit(h('form', {id: 'plan-form', novalidate: true},
    field(t('plan.kind'), h('select', {name: 'kind', id: 'plan-kind', 'data-field': 'create.kind'},
      PLAN_KINDS.map((k) => h('option', {value: k}, label(k))))),
    contentFields('create', 'create.content', {}),
    field(t('plan.field.participants'), h('textarea', {name: 'participants', id: 'plan-participants',
      'data-field': 'create.participants'}), t('plan.hint.participants')),
    h('button', {type: 'submit', id: 'plan-create'}, t('plans.create'))), async (f) => {
    const content = readContent(f, 'create', 'create.content');
    // The node keeps a plan without a title; the page does not save one,
    // since nothing else names it in the lists.
    if (!content.title) {
      throw new ApiError(0, 'INVALID_ARGUMENT', t('plan.error.title'), 'create.content.title');
    }
    const created = await call('PlanService', 'CreatePlan', {create: {kind: value(f, 'kind'), content,
      participants: lines(value(f, 'participants').replace(/,/g, '\n')).map((x) => x.toUpperCase())}});
    const id = created.plan && created.plan.id;
    announce(t('plans.created', {id}));
    go(`#/plans/${encodeURIComponent(id)}`);
  });
  return h('section', {}, h('h1', {}, t('plans.new')), h('p', {}, t('plans.new_hint')), form);
}

function list(items, id) {
  return items && items.length ? h('ul', {id}, items.map((x) => h('li', {}, x))) : null;
}

// The findings' irregularity counts, "pay 2, working time 1".
function irregularities(f) {
  return (f.irregularities || []).map((x) => `${label(x.category)} ${formatNumber(x.count)}`).join(', ');
}

function indicatorTable(p) {
  const indicators = (p.content && p.content.indicators) || [];
  if (!indicators.length) return h('p', {class: 'meta'}, t('none'));
  const measured = new Map((p.measured || []).map((v) => [v.indicatorId, v.value]));
  return h('table', {id: 'indicators'},
    h('caption', {}, t('plan.indicators')),
    h('thead', {}, h('tr', {}, [t('plan.indicator.id'), t('plan.indicator.description'),
      t('plan.indicator.source'), t('plan.indicator.target'), t('plan.indicator.measured')]
      .map((x) => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, indicators.map((ind) => h('tr', {'data-indicator': ind.id},
      h('th', {scope: 'row'}, ind.id),
      h('td', {}, ind.description || ''),
      h('td', {}, label(ind.source)),
      h('td', {}, `${t(ind.atMost ? 'plan.indicator.at_most_short' : 'plan.indicator.at_least_short')} `
        + `${formatNumber(ind.target, 2)}${ind.unit ? ` ${ind.unit}` : ''}`),
      h('td', {class: 'measured'}, measured.has(ind.id)
        ? `${formatNumber(measured.get(ind.id), 2)}${ind.unit ? ` ${ind.unit}` : ''}` : t('none'))))));
}

// One plan: GetPlan.
export async function renderPlan(id) {
  const answer = await call('PlanService', 'GetPlan', {id});
  const p = answer.plan || {};
  const c = p.content || {};
  const actions = p.actions || [];
  const findings = actions.flatMap((a) => (a.findings || []).map((f) => [a, f]));
  const parts = (p.report && p.report.parts) || [];
  const targets = (c.targets || []).map((x) =>
    [x.name, x.registrationNumber, x.country].filter(Boolean).join(', '));
  return h('section', {},
    h('h1', {id: 'plan-heading', 'data-state': p.state || ''}, t('plan.heading', {id: p.id || id})),
    h('dl', {class: 'props', id: 'plan-props'},
      [[t('plan.title'), c.title], [t('plan.lead'), p.lead], [t('plan.state'), label(p.state)],
        [t('plan.kind'), label(p.kind)], [t('plan.scope'), c.scope], [t('plan.purpose'), c.purpose],
        [t('plan.legal_basis'), c.legalBasis],
        [t('plan.field.strategic_objectives'), list(c.strategicObjectives, 'plan-strategic')],
        [t('plan.field.operational_objectives'), list(c.operationalObjectives, 'plan-operational')],
        [t('plan.field.sectors'), (c.sectors || []).join(', ')],
        [t('plan.field.targets'), list(targets, 'plan-targets')],
        [t('plan.field.case_ids'), c.caseIds && c.caseIds.length ? h('ul', {id: 'plan-cases'},
          c.caseIds.map((x) => h('li', {}, h('a', {href: `#/cases/${encodeURIComponent(x)}`}, x)))) : null],
        [t('plan.field.description'), c.description],
        [t('plan.field.short_notice_allowed'), c.shortNoticeAllowed ? t('yes') : t('no')],
        [t('plan.field.ela'), c.ela ? `${c.ela.authority} (${label(c.ela.role)})` : null],
        [t('plan.report_due'), p.report && p.report.dueDate ? formatDay(p.report.dueDate)
          : t('plan.report_due_months', {n: formatNumber(c.reportDueMonths || 6)})],
        [t('plan.cancel_reason'), p.cancelReason],
        [t('plan.updated'), formatTime(p.updatedAt)]]
        .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, t('plan.indicators')),
    indicatorTable(p),
    h('h2', {}, t('plan.participants')),
    h('div', {id: 'plan-participants'}, table(t('plan.participants'),
      [t('plan.authority'), t('plan.status'), t('plan.answered')],
      (p.participants || []).map((x) => [x.authority, label(x.status),
        `${x.answeredBy || ''} ${formatTime(x.answeredAt)} ${x.declineReason || ''}`]))),
    h('h2', {}, t('plan.schedule')),
    actions.length ? table(t('plan.schedule'), [t('plan.action'), t('plan.date'), t('plan.place'),
      t('plan.responsible'), t('plan.field.action.description')], actions.map((a) => [actionName(a),
      `${formatDay(a.date)}${a.endDate ? ` – ${formatDay(a.endDate)}` : ''}`, a.place || '',
      a.responsible || '', a.description || ''])) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('plan.findings')),
    findings.length ? table(t('plan.findings'), [t('plan.finding'), t('plan.authority'),
      t('plan.workers_checked'), t('plan.field.undertakings_checked'), t('plan.irregularities'),
      t('plan.field.request_ids'), t('plan.field.notes')], findings.map(([a, f]) => [
      `${a.id || ''} / ${f.id || ''}`, f.authority || '', formatNumber(f.workersChecked),
      formatNumber(f.undertakingsChecked), irregularities(f),
      (f.requestIds || []).length ? h('ul', {class: 'request-ids'}, f.requestIds.map((r) =>
        h('li', {}, h('a', {href: `#/requests/${encodeURIComponent(r)}`}, r)))) : '',
      f.notes || ''])) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('plan.report')),
    parts.length ? h('ol', {}, parts.map((part) => h('li', {},
      h('p', {class: 'meta'}, `${part.authority} – ${part.submittedBy || ''} ${formatTime(part.submittedAt)}`),
      h('pre', {class: 'quote'}, part.text || '')))) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('request.actions')),
    planActionForms(p));
}
