// The dashboard: what needs doing now. Three API calls: the inbox awaiting
// acceptance; the overdue requests together with those due within 5
// working days (one list, most overdue first); the plans whose next action
// is coming.
import {call} from './api.js';
import {h, table} from './dom.js';
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

// A table under a heading of the same words: its caption stays for screen
// readers only.
function underHeading(element) {
  const caption = element.querySelector('caption');
  if (caption) caption.classList.add('visually-hidden');
  return element;
}

function requestTable(caption, requests) {
  if (!requests.length) return h('p', {class: 'meta'}, t('dashboard.none'));
  return underHeading(table(caption, [t('request.id'), t('request.peer'), t('request.kind'),
    t('request.state'), t('request.due'), t('request.working_days_left')],
  requests.map((r) => [requestLink(r), peerOf(r),
  label(r.content && r.content.kind), label(r.state), formatDay(r.dueDate), daysLeft(r)])));
}

function upcomingPlans(plans, today) {
  if (!plans.length) return h('p', {class: 'meta'}, t('dashboard.none'));
  return underHeading(table(t('dashboard.plans'),
    [t('plan.id'), t('plan.title'), t('plan.state'), t('plan.next_action')],
    plans.map((p) => {
      const next = (p.actions || []).filter((a) => a.date >= today)
        .sort((a, b) => a.date.localeCompare(b.date))[0];
      return [h('a', {href: `#/plans/${encodeURIComponent(p.id)}`}, p.id),
        (p.content && p.content.title) || '', label(p.state),
        next ? `${formatDay(next.date)} – ${label(next.kind)} ${next.place || ''}` : ''];
    })));
}

export async function renderDashboard() {
  if (!isInspector()) {
    return h('section', {},
      h('h1', {}, t('nav.dashboard')),
      h('p', {}, isAuditor() ? t('dashboard.auditor') : t('error.no_role')),
      isAuditor() ? h('p', {}, h('a', {href: '#/audit'}, t('nav.audit'))) : null);
  }
  const today = new Date().toISOString().slice(0, 10);
  const [inbox, due, plans] = await Promise.all([
    call('RequestService', 'ListRequests',
         {box: 'REQUEST_BOX_INBOX', state: 'REQUEST_STATE_AWAITING_ACCEPTANCE', pageSize: 50}),
    call('RequestService', 'ListRequests',
         {overdue: true, dueWithinDays: DUE_SOON_WORKING_DAYS, pageSize: 100}),
    call('PlanService', 'ListPlans', {upcomingFrom: today, pageSize: 20}),
  ]);
  const dueList = due.requests || [];
  const overdue = {requests: dueList.filter((r) => r.overdue)};
  const soon = {requests: dueList.filter((r) => !r.overdue)};
  return h('section', {},
    h('h1', {}, t('nav.dashboard')),
    h('h2', {}, t('dashboard.inbox')),
    requestTable(t('dashboard.inbox'), inbox.requests || []),
    h('h2', {}, t('dashboard.overdue')),
    requestTable(t('dashboard.overdue'), overdue.requests || []),
    h('h2', {}, t('dashboard.due_soon', {n: DUE_SOON_WORKING_DAYS})),
    requestTable(t('dashboard.due_soon', {n: DUE_SOON_WORKING_DAYS}), soon.requests || []),
    h('h2', {}, t('dashboard.plans')),
    upcomingPlans(plans.plans || [], today));
}
