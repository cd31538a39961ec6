// The dashboard: what needs doing now. Three API calls: the inbox awaiting
// acceptance, the overdue requests, those due within 5 working days. The
// upcoming plan actions load on demand (a fourth call would break the
// page's budget of three).
import {call} from './api.js';
import {h, replace, table} from './dom.js';
import {formatDay, formatNumber, label, t} from './i18n.js';
import {isInspector, isAuditor} from './session.js';

export const DUE_SOON_WORKING_DAYS = 5;

function requestLink(r) {
  return h('a', {href: `#/requests/${encodeURIComponent(r.id)}`}, r.id);
}

// The other party of `r` as this node sees it.
export function peerOf(r) {
  return r.mySide === 'REQUEST_SIDE_RECIPIENT' ? r.requester : r.recipient;
}

// Working days left are meaningful while the recipient owes the answer.
export function awaitsAnswer(r) {
  return r.state === 'REQUEST_STATE_AWAITING_ACCEPTANCE' || r.state === 'REQUEST_STATE_ACCEPTED';
}

export function daysLeft(r) {
  if (!awaitsAnswer(r)) return '';
  const left = Number(r.workingDaysLeft || 0);
  if (r.overdue || left < 0) {
    return h('span', {class: 'overdue'}, t('days.overdue', {n: formatNumber(-left)}));
  }
  return t('days.left', {n: formatNumber(left)});
}

function requestTable(caption, requests) {
  if (!requests.length) return h('p', {class: 'meta'}, t('dashboard.none'));
  return table(caption, [t('request.id'), t('request.peer'), t('request.kind'),
    t('request.state'), t('request.due'), t('request.working_days_left')],
  requests.map((r) => [requestLink(r), peerOf(r),
  label(r.content && r.content.kind), label(r.state), formatDay(r.dueDate), daysLeft(r)]));
}

function upcomingPlans() {
  const region = h('div', {id: 'upcoming-plans'});
  const button = h('button', {type: 'button', class: 'secondary', onclick: async () => {
    button.disabled = true;
    try {
      const today = new Date().toISOString().slice(0, 10);
      const answer = await call('PlanService', 'ListPlans', {upcomingFrom: today, pageSize: 20});
      const plans = answer.plans || [];
      replace(region, plans.length ? table(t('dashboard.plans'),
        [t('plan.id'), t('plan.title'), t('plan.state'), t('plan.next_action')],
        plans.map((p) => {
          const next = (p.actions || []).filter((a) => a.date >= today)
            .sort((a, b) => a.date.localeCompare(b.date))[0];
          return [h('a', {href: `#/plans/${encodeURIComponent(p.id)}`}, p.id),
            (p.content && p.content.title) || '', label(p.state),
            next ? `${formatDay(next.date)} – ${label(next.kind)} ${next.place || ''}` : ''];
        })) : h('p', {class: 'meta'}, t('dashboard.none')));
      region.setAttribute('tabindex', '-1');
      region.focus();
    } catch (error) {
      replace(region, h('p', {role: 'alert'}, error.message));
    }
  }}, t('dashboard.show_plans'));
  region.appendChild(button);
  return region;
}

export async function renderDashboard() {
  if (!isInspector()) {
    return h('section', {},
      h('h1', {}, t('nav.dashboard')),
      h('p', {}, isAuditor() ? t('dashboard.auditor') : t('error.no_role')),
      isAuditor() ? h('p', {}, h('a', {href: '#/audit'}, t('nav.audit'))) : null);
  }
  const [inbox, overdue, soon] = await Promise.all([
    call('RequestService', 'ListRequests',
         {box: 'REQUEST_BOX_INBOX', state: 'REQUEST_STATE_AWAITING_ACCEPTANCE', pageSize: 50}),
    call('RequestService', 'ListRequests', {overdue: true, pageSize: 50}),
    call('RequestService', 'ListRequests', {dueWithinDays: DUE_SOON_WORKING_DAYS, pageSize: 50}),
  ]);
  return h('section', {},
    h('h1', {}, t('nav.dashboard')),
    h('h2', {}, t('dashboard.inbox')),
    requestTable(t('dashboard.inbox'), inbox.requests || []),
    h('h2', {}, t('dashboard.overdue')),
    requestTable(t('dashboard.overdue'), overdue.requests || []),
    h('h2', {}, t('dashboard.due_soon', {n: DUE_SOON_WORKING_DAYS})),
    requestTable(t('dashboard.due_soon', {n: DUE_SOON_WORKING_DAYS}), soon.requests || []),
    h('h2', {}, t('dashboard.plans')),
    upcomingPlans());
}
