// Cross-border requests: inbox and outbox, a new request with questions
// from the catalogue in the user's language, and a request's page with its
// history as a timeline and the actions the user's side may make.
import {call, upload} from './api.js';
import {field, h, replace, table} from './dom.js';
import {onSubmit, value} from './forms.js';
import {formatBytes, formatDay, formatNumber, formatTime, label, language, t, tOr} from './i18n.js';
import {announce, go} from './nav.js';
import {awaitsAnswer, daysLeft, peerOf} from './dashboard.js';
import {actionForms} from './request_actions.js';
import {modifySummary} from './request_modify.js';
import {allowedActions, mayAttach} from './transitions.js';
import {PENALTY_FIELDS, PENALTY_KINDS, camel, penaltyFieldset, readPenalty} from './penalty.js';

export const KINDS = ['REQUEST_KIND_INFORMATION', 'REQUEST_KIND_NOTIFICATION_OF_DECISION',
  'REQUEST_KIND_RECOVERY_OF_PENALTY', 'REQUEST_KIND_ALERT'];

export function requestAttachmentUrl(id, sha256) {
  return `/api/v1/requests/${encodeURIComponent(id)}/attachments/${encodeURIComponent(sha256)}`;
}

function listTable(caption, requests) {
  if (!requests.length) return h('p', {class: 'meta'}, t('requests.none'));
  return table(caption, [t('request.id'), t('request.peer'), t('request.kind'),
    t('request.state'), t('request.next_actor'), t('request.due'), t('request.working_days_left')],
  requests.map((r) => [h('a', {href: `#/requests/${encodeURIComponent(r.id)}`}, r.id), peerOf(r),
    [label(r.content && r.content.kind), r.content && r.content.urgent ? ` (${t('request.urgent')})` : ''],
    label(r.state), nextActor(r), formatDay(r.dueDate), r.dueDate ? daysLeft(r) : '']));
}

function nextActor(r) {
  if (!r.nextActor || r.nextActor === 'REQUEST_SIDE_UNSPECIFIED') return t('request.nobody');
  const who = r.nextActor === 'REQUEST_SIDE_REQUESTER' ? r.requester : r.recipient;
  return r.nextActor === r.mySide ? t('request.you', {who}) : who;
}

// Inbox and outbox: one ListRequests call for the box shown.
export async function renderRequestList() {
  const results = h('div', {id: 'request-results'});
  const show = async (box) => {
    const answer = await call('RequestService', 'ListRequests', {box, pageSize: 100});
    replace(results, listTable(t(`requests.${box}`), answer.requests || []));
  };
  const form = onSubmit(h('form', {class: 'toolbar'},
    field(t('requests.box'), h('select', {name: 'box', id: 'request-box', 'data-field': 'box'},
      ['REQUEST_BOX_INBOX', 'REQUEST_BOX_OUTBOX', 'REQUEST_BOX_UNSPECIFIED'].map((b) =>
        h('option', {value: b}, t(`requests.${b}`))))),
    h('button', {type: 'submit'}, t('requests.show'))), (f) => show(value(f, 'box')));
  await show('REQUEST_BOX_INBOX');
  return h('section', {}, h('h1', {}, t('nav.requests')),
    h('p', {}, h('a', {href: '#/requests/new'}, t('requests.new'))), form, results);
}

// A new request (a draft), optionally about case `caseId`; one call for
// the catalogue in the user's language.
export async function renderRequestNew(caseId = '') {
  const catalogue = await call('CatalogueService', 'ListQuestions', {language: language()});
  const questions = catalogue.questions || [];
  const topics = [...new Set(questions.map((q) => q.topic))];
  const form = onSubmit(h('form', {id: 'request-form', novalidate: true},
    field(t('request.recipient'), h('input', {name: 'recipient', id: 'req-recipient',
      'data-field': 'recipient', type: 'text', size: 12, required: true}), t('hint.authority')),
    field(t('request.kind'), h('select', {name: 'kind', id: 'req-kind', 'data-field': 'content.kind',
      onchange: (e) => {
        document.getElementById('req-penalty').hidden = !PENALTY_KINDS.includes(e.target.value);
      }}, KINDS.map((k) => h('option', {value: k}, label(k))))),
    field(t('request.case'), h('input', {name: 'case_id', id: 'req-case', 'data-field': 'content.case_id',
      type: 'text', value: caseId})),
    field(t('request.subject'), h('textarea', {name: 'subject', id: 'req-subject',
      'data-field': 'content.subject'}), t('hint.subject')),
    h('fieldset', {'data-field': 'content.questions', tabindex: '-1', id: 'req-questions'},
      h('legend', {}, t('request.questions_catalogue', {language: catalogue.language || language()})),
      topics.map((topic) => h('fieldset', {},
        h('legend', {}, t(`topic.${topic}`)),
        questions.filter((q) => q.topic === topic).map((q) => h('div', {class: 'field inline'},
          h('input', {type: 'checkbox', name: 'question', value: q.code, id: `q-${q.code}`}),
          h('label', {for: `q-${q.code}`, lang: q.language || null}, `${q.code}: ${q.text}`)))))),
    field(t('request.free_text'), h('textarea', {name: 'text', id: 'req-text',
      'data-field': 'content.questions'}), t('hint.free_text')),
    h('div', {class: 'field inline'}, h('input', {type: 'checkbox', name: 'urgent', id: 'req-urgent',
      'data-field': 'content.urgent'}), h('label', {for: 'req-urgent'}, t('request.urgent'))),
    field(t('request.urgency_reason'), h('input', {name: 'urgency_reason', id: 'req-urgency',
      'data-field': 'content.urgency_reason', type: 'text'})),
    penaltyFieldset(),
    h('button', {type: 'submit', id: 'request-create'}, t('requests.create'))), async (f) => {
    const picked = [...f.querySelectorAll('input[name=question]:checked')].map((c) => ({code: c.value}));
    const text = value(f, 'text');
    if (text) picked.push({text, language: language()});
    const created = await call('RequestService', 'CreateRequest', {
      recipient: value(f, 'recipient').toUpperCase(),
      content: {kind: value(f, 'kind'), urgent: f.elements.namedItem('urgent').checked,
        urgencyReason: value(f, 'urgency_reason'), caseId: value(f, 'case_id'),
        subject: value(f, 'subject'), questions: picked, language: language(),
        penalty: PENALTY_KINDS.includes(value(f, 'kind')) ? readPenalty(f) : undefined}});
    announce(t('requests.created', {id: created.id}));
    go(`#/requests/${encodeURIComponent(created.id)}`);
  });
  return h('section', {}, h('h1', {}, t('requests.new')), h('p', {}, t('requests.new_hint')), form);
}


// Free text exactly as written, with the language it was written in.
function freeText(text, lang) {
  return h('span', {}, h('pre', {class: 'quote', lang: lang || null}, text),
    lang ? h('span', {class: 'lang-tag'}, t('written_in', {language: lang})) : null);
}

function eventSummary(e) {
  const action = Object.keys(e).find((k) => !['author', 'authorSeq', 'lamport', 'at', 'user',
    'superseded', 'supersededReason'].includes(k));
  const details = e[action] || {};
  if (action === 'modify') return {action, parts: modifySummary(details.content)};
  const parts = [];
  for (const [k, v] of Object.entries(details)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      let shown = v;
      if (typeof v === 'string' && /^[A-Z_]+$/.test(v)) shown = label(v);
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) shown = formatDay(v);
      parts.push(`${tOr(`action.field.${snake(k)}`, snake(k))}: ${shown}`);
    }
  }
  return {action: action || '?', parts};
}

const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function timeline(history) {
  return h('ol', {class: 'timeline', id: 'history'}, history.map((e) => {
    const {action, parts} = eventSummary(e);
    return h('li', {class: e.superseded ? 'superseded' : null, 'data-action': action},
      h('p', {}, h('strong', {}, tOr(`event.${action}`, action)), ` – ${e.author || ''}${e.user ? ` (${e.user})` : ''}`,
        h('span', {class: 'meta'}, ` ${formatTime(e.at)}`)),
      parts.length ? h('p', {class: 'meta'}, parts.join('; ')) : null,
      e.superseded ? h('p', {}, t('request.superseded', {reason: e.supersededReason || ''})) : null);
  }));
}

function attachForm(r) {
  return onSubmit(h('form', {id: 'request-upload-form'},
    field(t('attachment.file'), h('input', {type: 'file', name: 'file', id: 'req-upload-file',
      'data-field': 'file_name'})),
    h('button', {type: 'submit'}, t('attachment.upload'))), async (f) => {
    const file = f.elements.namedItem('file').files[0];
    if (!file) throw Object.assign(new Error(t('attachment.pick')), {field: 'file_name'});
    await upload(`/api/v1/requests/${encodeURIComponent(r.id)}/attachments`, file,
      {'X-PWX-Expected-History': String((r.history || []).length)});
    go(`#/requests/${encodeURIComponent(r.id)}`);
  });
}

// One request: one GetRequest call (catalogue texts in the user's
// language), and the catalogue when the requester may modify it.
export async function renderRequest(id) {
  const r = await call('RequestService', 'GetRequest', {id, language: language()});
  const catalogue = allowedActions(r, r.mySide).includes('modify')
    ? await call('CatalogueService', 'ListQuestions', {language: language()}) : null;
  const c = r.content || {};
  const answers = r.answers || [];
  const attachments = r.attachments || [];
  const pairs = [
    [t('request.state'), h('span', {id: 'request-state', 'data-state': r.state}, label(r.state))],
    [t('request.requester'), r.requester], [t('request.recipient'), r.recipient],
    [t('request.my_side'), label(r.mySide)], [t('request.next_actor'), nextActor(r)],
    [t('request.kind'), label(c.kind)],
    [t('request.urgent'), c.urgent ? `${t('yes')} – ${c.urgencyReason || ''}` : t('no')],
    [t('request.case'), c.caseId ? h('a', {href: `#/cases/${encodeURIComponent(c.caseId)}`}, c.caseId) : ''],
    [t('modify.agreed_period'), c.agreedPeriodDays
      ? h('span', {id: 'request-agreed-period'}, formatNumber(c.agreedPeriodDays)) : ''],
    [t('request.received'), formatDay(r.receivedDate)],
    [t('request.due'), r.dueDate ? [formatDay(r.dueDate), awaitsAnswer(r) ? [' (', daysLeft(r), ')'] : ''] : ''],
    [t('request.expected'), formatDay(r.expectedDate)],
    [t('request.date_proposal'), r.dateProposal ? `${formatDay(r.dateProposal.date)} (${label(r.dateProposal.side)}) ${r.dateProposal.reason || ''}` : ''],
  ];
  return h('section', {},
    h('h1', {}, t('request.heading', {id: r.id})),
    r.personalDataHidden ? h('p', {class: 'badge', id: 'hidden-note'}, t('request.hidden')) : null,
    h('dl', {class: 'props'}, pairs.filter(([, v]) => v && v.length !== 0).map(([k, v]) =>
      [h('dt', {}, k), h('dd', {}, v)])),
    h('h2', {}, t('request.subject')),
    c.subject ? freeText(c.subject, c.language) : h('p', {class: 'meta'}, t('none')),
    c.penalty ? [h('h2', {}, t('penalty.legend')), h('dl', {class: 'props', id: 'penalty'},
      PENALTY_FIELDS.map(([name]) => {
        const v = name === 'amount.currency' || name === 'amount.cents' ? null : c.penalty[camel(name)];
        return v === undefined || v === null || v === '' ? null
          : [h('dt', {}, t(`penalty.${name}`)), h('dd', {}, v === true ? t('yes') : String(v))];
      }),
      c.penalty.amount ? [h('dt', {}, t('penalty.amount.cents')), h('dd', {},
        new Intl.NumberFormat(language(), {style: 'currency', currency: c.penalty.amount.currency || 'EUR'})
          .format(Number(c.penalty.amount.cents || 0) / 100))] : null)] : null,
    h('h2', {}, t('request.questions')),
    h('ol', {id: 'questions'}, (c.questions || []).map((q) => h('li', {},
      q.code ? h('p', {}, h('strong', {}, q.code), ` ${q.catalogueText || ''}`) : null,
      q.text ? freeText(q.text, q.language) : null))),
    h('h2', {}, t('request.answers')),
    answers.length ? h('ol', {id: 'answers'}, answers.map((a) => h('li', {},
      h('p', {class: 'meta'}, `${a.author || ''} ${formatTime(a.at)}${a.partial ? ` – ${t('request.partial')}` : ''}`),
      h('pre', {class: 'quote'}, a.text || '')))) : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('request.attachments')),
    attachments.length ? table(t('request.attachments'), [t('attachment.name'), t('attachment.type'),
      t('attachment.size'), t('attachment.by')], attachments.map((a) => [
      a.contentAvailable && a.fileName ? h('a', {href: requestAttachmentUrl(r.id, a.sha256),
        download: a.fileName}, a.fileName) : (a.fileName || t('attachment.hidden')),
      a.mediaType || '', formatBytes(a.sizeBytes), `${a.authority || ''} ${a.uploadedBy || ''}`]))
      : h('p', {class: 'meta'}, t('none')),
    mayAttach(r, r.mySide) ? attachForm(r) : null,
    h('h2', {}, t('request.actions')),
    actionForms(r, catalogue),
    h('h2', {}, t('request.history')),
    timeline(r.history || []));
}
