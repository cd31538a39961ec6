// Joint inspection plans: the list, and a plan's page with its schedule,
// participants and their status, findings, the report, and the changes this
// authority may make now (js/plan_actions.js). Plans are drafted, and their
// actions added and amended, with `pwx plan`.
import {call} from './api.js';
import {h, table} from './dom.js';
import {formatDay, formatNumber, formatTime, label, t} from './i18n.js';
import {planActionForms} from './plan_actions.js';

export async function renderPlanList() {
  const answer = await call('PlanService', 'ListPlans', {pageSize: 100});
  const plans = answer.plans || [];
  return h('section', {}, h('h1', {}, t('nav.plans')),
    plans.length ? table(t('nav.plans'), [t('plan.id'), t('plan.title'), t('plan.lead'), t('plan.state')],
      plans.map((p) => [h('a', {href: `#/plans/${encodeURIComponent(p.id)}`}, p.id),
        (p.content && p.content.title) || '', p.lead || '', label(p.state)]))
      : h('p', {class: 'meta'}, t('none')));
}

// One plan: GetPlan (and the report summary once there is a report).
export async function renderPlan(id) {
  const answer = await call('PlanService', 'GetPlan', {id});
  const p = answer.plan || {};
  const c = p.content || {};
  const actions = p.actions || [];
  const findings = actions.flatMap((a) => (a.findings || []).map((f) => [a, f]));
  const parts = (p.report && p.report.parts) || [];
  return h('section', {},
    h('h1', {id: 'plan-heading', 'data-state': p.state || ''}, t('plan.heading', {id: p.id || id})),
    h('dl', {class: 'props'},
      [[t('plan.title'), c.title], [t('plan.lead'), p.lead], [t('plan.state'), label(p.state)],
        [t('plan.kind'), label(p.kind)], [t('plan.scope'), c.scope], [t('plan.purpose'), c.purpose],
        [t('plan.legal_basis'), c.legalBasis], [t('plan.updated'), formatTime(p.updatedAt)]]
        .filter(([, v]) => v).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, t('plan.participants')),
    table(t('plan.participants'), [t('plan.authority'), t('plan.status'), t('plan.answered')],
      (p.participants || []).map((x) => [x.authority, label(x.status),
        `${x.answeredBy || ''} ${formatTime(x.answeredAt)} ${x.declineReason || ''}`])),
    h('h2', {}, t('plan.schedule')),
    actions.length ? table(t('plan.schedule'), [t('plan.action'), t('plan.date'), t('plan.place'),
      t('plan.responsible')], actions.map((a) => [`${a.id || ''} ${label(a.kind)}`,
      `${formatDay(a.date)}${a.endDate ? ` – ${formatDay(a.endDate)}` : ''}`, a.place || '',
      a.responsible || ''])) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('plan.findings')),
    findings.length ? table(t('plan.findings'), [t('plan.finding'), t('plan.authority'),
      t('plan.workers_checked')], findings.map(([a, f]) => [`${a.id || ''} / ${f.id || ''}`,
      f.authority || '', formatNumber(f.workersChecked)])) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('plan.report')),
    parts.length ? h('ol', {}, parts.map((part) => h('li', {},
      h('p', {class: 'meta'}, `${part.authority} – ${part.submittedBy || ''} ${formatTime(part.submittedAt)}`),
      h('pre', {class: 'quote'}, part.text || '')))) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('request.actions')),
    planActionForms(p));
}
