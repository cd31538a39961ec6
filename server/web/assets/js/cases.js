// Cases of this node's authority: search and list, create, and a case's
// page (workers, notes, attachments, linked requests and plans). One API
// call per render, two for a case's page.
import {call, upload} from './api.js';
import {field, h, replace, table} from './dom.js';
import {onSubmit, showDone, value} from './forms.js';
import {formatBytes, formatDay, formatTime, label, t} from './i18n.js';
import {announce, go} from './nav.js';

export const CASE_STATUSES = ['CASE_STATUS_OPEN', 'CASE_STATUS_UNDER_INVESTIGATION',
  'CASE_STATUS_AWAITING_INFORMATION', 'CASE_STATUS_CLOSED'];

// Where the node serves an attachment's bytes (Content-Disposition:
// attachment, a safe content type).
export function caseAttachmentUrl(caseId, sha256) {
  return `/api/v1/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(sha256)}`;
}

function input(name, attrs = {}) {
  return h('input', Object.assign({name, id: `f-${name.replace(/[^a-z0-9]/gi, '-')}`,
    'data-field': name, type: 'text'}, attrs));
}

function statusSelect(name, withAny) {
  return h('select', {name, id: `f-${name}`, 'data-field': name},
    withAny ? h('option', {value: ''}, t('any')) : null,
    CASE_STATUSES.map((s) => h('option', {value: s}, label(s))));
}

function caseRows(cases) {
  return cases.map((c) => [h('a', {href: `#/cases/${encodeURIComponent(c.id)}`}, c.id),
    c.title || '', (c.undertaking && c.undertaking.name) || '',
    (c.undertaking && c.undertaking.countryOfEstablishment) || '', label(c.status),
    formatTime(c.updatedAt)]);
}

const CASE_HEADERS = () => [t('case.id'), t('case.title'), t('case.undertaking'),
  t('case.country'), t('case.status'), t('case.updated')];

// The list: a search form (its terms stay in the form, never in the URL)
// and the first page of matching cases.
export async function renderCaseList() {
  const results = h('div', {id: 'case-results'});
  const search = async (form, pageToken = '') => {
    const answer = await call('CaseService', 'ListCases', {
      text: value(form, 'text'), status: value(form, 'status') || undefined,
      countryOfEstablishment: value(form, 'country_of_establishment').toUpperCase(),
      sectorNace: value(form, 'sector_nace'), pageSize: 50, pageToken});
    const cases = answer.cases || [];
    replace(results, cases.length
      ? table(t('cases.results', {n: cases.length}), CASE_HEADERS(), caseRows(cases))
      : h('p', {}, t('cases.none')));
    if (answer.nextPageToken) {
      results.appendChild(h('button', {type: 'button', class: 'secondary',
        onclick: () => search(form, answer.nextPageToken)}, t('next_page')));
    }
    announce(t('cases.results', {n: cases.length}));
  };
  const form = onSubmit(h('form', {class: 'toolbar', role: 'search', 'aria-label': t('cases.search')},
    field(t('cases.text'), input('text', {type: 'search'})),
    field(t('case.status'), statusSelect('status', true)),
    field(t('case.country'), input('country_of_establishment', {size: 3, maxlength: 2})),
    field(t('case.sector'), input('sector_nace', {size: 8})),
    h('button', {type: 'submit'}, t('cases.search'))), (f) => search(f));
  const first = await call('CaseService', 'ListCases', {pageSize: 50});
  const cases = first.cases || [];
  replace(results, cases.length ? table(t('cases.all'), CASE_HEADERS(), caseRows(cases))
    : h('p', {}, t('cases.none')));
  return h('section', {},
    h('h1', {}, t('nav.cases')),
    h('p', {}, h('a', {href: '#/cases/new'}, t('cases.new'))),
    form, results);
}

function workerFieldset(index) {
  const p = `case.workers[${index}]`;
  return h('fieldset', {class: 'worker'},
    h('legend', {}, t('case.worker_n', {n: index + 1})),
    field(t('worker.full_name'), input(`${p}.full_name`, {autocomplete: 'off'})),
    field(t('worker.date_of_birth'), input(`${p}.date_of_birth`, {type: 'date'})),
    field(t('worker.nationality'), input(`${p}.nationality`, {size: 3, maxlength: 2})),
    field(t('worker.a1'), input(`${p}.a1_certificate_number`)),
    field(t('worker.start'), input(`${p}.posting_period.start_date`, {type: 'date'})),
    field(t('worker.end'), input(`${p}.posting_period.end_date`, {type: 'date'})),
    field(t('worker.workplace'), input(`${p}.workplace`)));
}

function readCase(form) {
  const v = (name) => value(form, name);
  const workers = [...form.querySelectorAll('fieldset.worker')].map((fs, i) => {
    const p = `case.workers[${i}]`;
    return {fullName: v(`${p}.full_name`), dateOfBirth: v(`${p}.date_of_birth`),
      nationality: v(`${p}.nationality`).toUpperCase(),
      a1CertificateNumber: v(`${p}.a1_certificate_number`),
      postingPeriod: {startDate: v(`${p}.posting_period.start_date`),
        endDate: v(`${p}.posting_period.end_date`)},
      workplace: v(`${p}.workplace`)};
  }).filter((w) => w.fullName || w.a1CertificateNumber || w.postingPeriod.startDate);
  return {title: v('case.title'), status: v('case.status'),
    undertaking: {name: v('case.undertaking.name'),
      registrationNumber: v('case.undertaking.registration_number'),
      countryOfEstablishment: v('case.undertaking.country_of_establishment').toUpperCase(),
      address: v('case.undertaking.address')},
    serviceRecipient: {name: v('case.service_recipient.name'),
      registrationNumber: v('case.service_recipient.registration_number'),
      country: v('case.service_recipient.country').toUpperCase(),
      address: v('case.service_recipient.address')},
    sectorNace: v('case.sector_nace'), declarationReference: v('case.declaration_reference'),
    workers};
}

// The form that files a new case.
export async function renderCaseNew() {
  const workers = h('div', {id: 'workers'}, workerFieldset(0));
  const form = onSubmit(h('form', {id: 'case-form', novalidate: true},
    field(t('case.title'), input('case.title')),
    field(t('case.status'), statusSelect('case.status', false)),
    h('fieldset', {}, h('legend', {}, t('case.undertaking')),
      field(t('party.name'), input('case.undertaking.name', {required: true})),
      field(t('party.registration'), input('case.undertaking.registration_number')),
      field(t('case.country'), input('case.undertaking.country_of_establishment',
        {size: 3, maxlength: 2, required: true}), t('hint.country')),
      field(t('party.address'), input('case.undertaking.address'))),
    h('fieldset', {}, h('legend', {}, t('case.service_recipient')),
      field(t('party.name'), input('case.service_recipient.name')),
      field(t('party.registration'), input('case.service_recipient.registration_number')),
      field(t('party.country'), input('case.service_recipient.country', {size: 3, maxlength: 2}),
        t('hint.country')),
      field(t('party.address'), input('case.service_recipient.address'))),
    field(t('case.sector'), input('case.sector_nace'), t('hint.nace')),
    field(t('case.declaration'), input('case.declaration_reference')),
    h('h2', {}, t('case.workers')),
    workers,
    h('p', {}, h('button', {type: 'button', class: 'secondary', onclick: () => {
      const fs = workerFieldset(workers.children.length);
      workers.appendChild(fs);
      fs.querySelector('input').focus();
    }}, t('case.add_worker'))),
    h('button', {type: 'submit', id: 'case-create'}, t('cases.create'))), async (f) => {
    const created = await call('CaseService', 'CreateCase', {case: readCase(f)});
    announce(t('cases.created', {id: created.id}));
    go(`#/cases/${encodeURIComponent(created.id)}`);
  });
  return h('section', {}, h('h1', {}, t('cases.new')), form);
}

function props(pairs) {
  return h('dl', {class: 'props'}, pairs.filter(([, v]) => v).map(([k, v]) =>
    [h('dt', {}, k), h('dd', {}, v)]));
}

function noteForm(c) {
  return onSubmit(h('form', {id: 'note-form'},
    field(t('case.note_text'), h('textarea', {name: 'text', id: 'note-text', 'data-field': 'text'})),
    h('button', {type: 'submit'}, t('case.add_note'))), async (f) => {
    await call('CaseService', 'AddNote', {caseId: c.id, text: value(f, 'text')});
    announce(t('case.note_added'));
    go(`#/cases/${encodeURIComponent(c.id)}`);
  });
}

function uploadForm(c) {
  return onSubmit(h('form', {id: 'upload-form'},
    field(t('attachment.file'), h('input', {type: 'file', name: 'file', id: 'upload-file',
      'data-field': 'file_name'})),
    h('button', {type: 'submit'}, t('attachment.upload'))), async (f) => {
    const file = f.elements.namedItem('file').files[0];
    if (!file) throw Object.assign(new Error(t('attachment.pick')), {field: 'file_name'});
    await upload(`/api/v1/cases/${encodeURIComponent(c.id)}/attachments`, file);
    showDone(f, t('attachment.uploaded', {name: file.name}));
    go(`#/cases/${encodeURIComponent(c.id)}`);
  });
}

// At most this many of a case's plans on its page (ListPlans' page limit);
// "next page" fetches the others.
export const CASE_PLANS_PAGE = 100;

function planItems(plans) {
  return plans.map((p) => h('li', {},
    h('a', {href: `#/plans/${encodeURIComponent(p.id)}`}, p.id),
    ` ${(p.content && p.content.title) || ''} (${label(p.state)})`));
}

// The plans naming the case, from the node's index of plans by case, and a
// button for the next page when there are more.
function casePlans(id, first) {
  const plans = first.plans || [];
  if (!plans.length) return h('p', {class: 'meta'}, t('none'));
  const list = h('ul', {id: 'case-plans'}, planItems(plans));
  const box = h('div', {}, list);
  const more = (token) => {
    if (!token) return;
    const button = h('button', {type: 'button', class: 'secondary', onclick: async () => {
      const next = await call('PlanService', 'ListPlans',
        {caseId: id, pageSize: CASE_PLANS_PAGE, pageToken: token});
      button.remove();
      planItems(next.plans || []).forEach((li) => list.appendChild(li));
      more(next.nextPageToken);
    }}, t('next_page'));
    box.appendChild(button);
  };
  more(first.nextPageToken);
  return box;
}

// One case: GetCase, and ListPlans by case for the plans that name it.
export async function renderCase(id) {
  const [c, planList] = await Promise.all([
    call('CaseService', 'GetCase', {id}),
    call('PlanService', 'ListPlans', {caseId: id, pageSize: CASE_PLANS_PAGE})
      .catch(() => ({plans: []})),
  ]);
  const u = c.undertaking || {};
  const r = c.serviceRecipient || {};
  const workers = c.workers || [];
  const notes = c.notes || [];
  const attachments = c.attachments || [];
  const requests = c.requestIds || [];
  return h('section', {},
    h('h1', {}, t('case.heading', {id: c.id})),
    props([[t('case.title'), c.title], [t('case.status'), label(c.status)],
      [t('case.undertaking'), [u.name, u.registrationNumber, u.countryOfEstablishment, u.address]
        .filter(Boolean).join(', ')],
      [t('case.service_recipient'), [r.name, r.registrationNumber, r.country, r.address]
        .filter(Boolean).join(', ')],
      [t('case.sector'), c.sectorNace], [t('case.declaration'), c.declarationReference],
      [t('case.version'), c.version], [t('case.created'), `${formatTime(c.createdAt)} (${c.createdBy || ''})`],
      [t('case.updated'), `${formatTime(c.updatedAt)} (${c.updatedBy || ''})`]]),
    h('h2', {}, t('case.workers')),
    workers.length ? table(t('case.workers'), [t('worker.full_name'), t('worker.date_of_birth'),
      t('worker.nationality'), t('worker.a1'), t('worker.period'), t('worker.workplace')],
    workers.map((w) => [w.fullName || '', formatDay(w.dateOfBirth), w.nationality || '',
      w.a1CertificateNumber || '', w.postingPeriod ? `${formatDay(w.postingPeriod.startDate)} – ${
        formatDay(w.postingPeriod.endDate) || t('open_ended')}` : '', w.workplace || '']))
      : h('p', {class: 'meta'}, t('none')),
    h('h2', {}, t('case.requests')),
    requests.length ? h('ul', {}, requests.map((rid) =>
      h('li', {}, h('a', {href: `#/requests/${encodeURIComponent(rid)}`}, rid))))
      : h('p', {class: 'meta'}, t('none')),
    h('p', {}, h('a', {href: `#/requests/new/${encodeURIComponent(c.id)}`, id: 'new-request-link'},
      t('case.new_request'))),
    h('h2', {}, t('case.plans')),
    casePlans(c.id, planList),
    h('h2', {}, t('case.notes')),
    notes.length ? h('ol', {class: 'timeline'}, notes.map((n) => h('li', {},
      h('p', {class: 'meta'}, `${formatTime(n.createdAt)} – ${n.author || ''}`),
      h('pre', {class: 'quote'}, n.text || '')))) : h('p', {class: 'meta'}, t('none')),
    noteForm(c),
    h('h2', {}, t('case.attachments')),
    attachments.length ? table(t('case.attachments'), [t('attachment.name'), t('attachment.type'),
      t('attachment.size'), t('attachment.by')], attachments.map((a) => [
      h('a', {href: caseAttachmentUrl(c.id, a.sha256), download: a.fileName || true},
        a.fileName || a.sha256), a.mediaType || '', formatBytes(a.sizeBytes),
      `${a.uploadedBy || ''} ${formatTime(a.uploadedAt)}`]))
      : h('p', {class: 'meta'}, t('none')),
    uploadForm(c));
}
