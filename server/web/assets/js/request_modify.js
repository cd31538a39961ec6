// The requester's modification of a sent request (RequestService/Act with
// a ModifyAction): it replaces the whole content but the kind, so the form
// offers every field the node accepts there (server/domain/
// request_rules.cc, ValidateContent): the subject, the questions (keep,
// add from the catalogue in the user's language, add one in their own
// words), urgency and its reason, the period agreed between the two states,
// the linked case and, for notification and recovery, the penalty
// instrument.
import {field, h} from './dom.js';
import {formatNumber, label, language, t, tOr} from './i18n.js';
import {PENALTY_KINDS, penaltyFieldset, readPenalty} from './penalty.js';

// The legal period of a request that is not urgent (Art. 6(6)): the most a
// shorter agreed period can be.
const NORMAL_PERIOD_DAYS = 25;

function questionText(q) {
  return `${q.code || ''} ${q.catalogueText || ''} ${q.text || ''}`.replace(/\s+/g, ' ').trim();
}

// The controls, filled with `request`'s content; `catalogue` is
// CatalogueService/ListQuestions in the user's language.
export function modifyControls(request, catalogue) {
  const c = request.content || {};
  const questions = c.questions || [];
  const have = new Set(questions.map((q) => q.code).filter(Boolean));
  const offered = ((catalogue && catalogue.questions) || []).filter((q) => !have.has(q.code));
  const topics = [...new Set(offered.map((q) => q.topic))];
  return [
    field(t('request.subject'), h('textarea', {name: 'subject', id: 'mod-subject',
      'data-field': 'modify.content.subject', value: c.subject || ''}), t('hint.subject')),
    h('fieldset', {'data-field': 'modify.content.questions', tabindex: '-1', id: 'mod-questions'},
      h('legend', {}, t('modify.questions_kept')),
      questions.map((q, i) => h('div', {class: 'field inline'},
        h('input', {type: 'checkbox', name: 'keep', value: String(i), id: `mod-keep-${i}`, checked: true}),
        h('label', {for: `mod-keep-${i}`}, `${i + 1}. ${questionText(q)}`))),
      offered.length ? h('details', {},
        h('summary', {}, t('modify.questions_add')),
        topics.map((topic) => h('fieldset', {},
          h('legend', {}, tOr(`topic.${topic}`, topic)),
          offered.filter((q) => q.topic === topic).map((q) => h('div', {class: 'field inline'},
            h('input', {type: 'checkbox', name: 'add_question', value: q.code, id: `mod-q-${q.code}`}),
            h('label', {for: `mod-q-${q.code}`, lang: q.language || null}, `${q.code}: ${q.text}`)))))) : null,
      field(t('request.free_text'), h('textarea', {name: 'new_text', id: 'mod-text'}), t('hint.free_text'))),
    h('div', {class: 'field inline'}, h('input', {type: 'checkbox', name: 'urgent', id: 'mod-urgent',
      'data-field': 'modify.content.urgent', checked: Boolean(c.urgent)}),
    h('label', {for: 'mod-urgent'}, t('request.urgent'))),
    field(t('request.urgency_reason'), h('input', {type: 'text', name: 'urgency_reason', id: 'mod-urgency',
      'data-field': 'modify.content.urgency_reason', value: c.urgencyReason || ''}), t('modify.hint.urgency')),
    field(t('modify.agreed_period'), h('input', {type: 'number', min: '0', max: String(NORMAL_PERIOD_DAYS),
      step: '1', name: 'agreed_period_days', id: 'mod-period', 'data-field': 'modify.content.agreed_period_days',
      value: c.agreedPeriodDays ? String(c.agreedPeriodDays) : ''}),
    t('modify.hint.agreed_period', {days: formatNumber(NORMAL_PERIOD_DAYS)})),
    field(t('request.case'), h('input', {type: 'text', name: 'case_id', id: 'mod-case',
      'data-field': 'modify.content.case_id', value: c.caseId || ''})),
    PENALTY_KINDS.includes(c.kind) ? penaltyFieldset(c.penalty || {}, true) : null,
  ];
}

function read(form, name) {
  const el = form.elements.namedItem(name);
  return el ? String(el.value || '').trim() : '';
}

// The ModifyAction the form holds: the new content, the kind unchanged.
export function readModify(form, request) {
  const c = request.content || {};
  const kept = [...form.querySelectorAll('input[name=keep]:checked')]
    .map((el) => Object.assign({}, (c.questions || [])[Number(el.value)]));
  for (const q of kept) delete q.catalogueText;
  const added = [...form.querySelectorAll('input[name=add_question]:checked')].map((el) => ({code: el.value}));
  const text = read(form, 'new_text');
  if (text) added.push({text, language: language()});
  const urgent = form.elements.namedItem('urgent').checked;
  const period = read(form, 'agreed_period_days');
  const content = {kind: c.kind, subject: read(form, 'subject'), questions: [...kept, ...added], urgent,
    urgencyReason: urgent ? read(form, 'urgency_reason') : '', caseId: read(form, 'case_id'),
    agreedPeriodDays: period === '' ? 0 : Number(period), language: c.language || language()};
  if (PENALTY_KINDS.includes(c.kind)) content.penalty = readPenalty(form);
  return {content};
}

// What a modification's history entry shows: the content's terms (not the
// subject or the free text, which are personal data).
export function modifySummary(content) {
  const c = content || {};
  const parts = [`${t('request.questions')}: ${formatNumber((c.questions || []).length)}`];
  parts.push(`${t('request.urgent')}: ${c.urgent ? t('yes') : t('no')}`);
  if (c.agreedPeriodDays) {
    parts.push(`${t('modify.agreed_period')}: ${formatNumber(c.agreedPeriodDays)}`);
  }
  if (c.caseId) parts.push(`${t('request.case')}: ${c.caseId}`);
  if (c.kind) parts.push(label(c.kind));
  return parts;
}
