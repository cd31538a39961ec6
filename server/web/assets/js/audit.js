// For auditors: the node's latest signed tree head, the access log of a
// case and the receipts a peer signed. One API call per view.
import {call} from './api.js';
import {field, h, replace, table} from './dom.js';
import {onSubmit, value} from './forms.js';
import {formatNumber, formatTime, t} from './i18n.js';

function hex(base64) {
  if (!base64) return '';
  const bytes = atob(base64);
  return [...bytes].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

function accessLogForm() {
  const out = h('div', {id: 'access-log'});
  const form = onSubmit(h('form', {id: 'access-log-form', class: 'toolbar'},
    field(t('audit.case_id'), h('input', {name: 'case_id', id: 'audit-case', 'data-field': 'case_id', type: 'text'})),
    h('button', {type: 'submit'}, t('audit.show'))), async (f) => {
    const answer = await call('AuditService', 'GetAccessLog', {caseId: value(f, 'case_id'), pageSize: 200});
    const entries = answer.entries || [];
    replace(out, entries.length ? table(t('audit.access_log'), [t('audit.index'), t('audit.time'),
      t('audit.user'), t('audit.action')], entries.map((e) => [String(e.index || 0),
      formatTime(e.entry && e.entry.time), (e.entry && e.entry.user) || '', (e.entry && e.entry.action) || '']))
      : h('p', {}, t('none')));
  });
  return [form, out];
}

function receiptsForm() {
  const out = h('div', {id: 'receipts'});
  const form = onSubmit(h('form', {id: 'receipts-form', class: 'toolbar'},
    field(t('audit.peer'), h('input', {name: 'peer', id: 'audit-peer', 'data-field': 'peer', type: 'text'}), t('hint.authority')),
    h('button', {type: 'submit'}, t('audit.show'))), async (f) => {
    const answer = await call('AuditService', 'ListReceipts', {peer: value(f, 'peer').toUpperCase(), pageSize: 100});
    const rows = (answer.batches || []).flatMap((b) => (b.receipts || []).map((r) => [String(r.sequence || 0),
      r.messageId || '', String(r.auditIndex || 0),
      b.treeHead ? `${formatNumber(b.treeHead.treeSize)} @ ${formatTime(b.treeHead.timestamp)}` : '']));
    replace(out, rows.length ? table(t('audit.receipts'), [t('audit.sequence'), t('audit.message'),
      t('audit.index'), t('audit.peer_head')], rows) : h('p', {}, t('none')));
  });
  return [form, out];
}

export async function renderAudit() {
  const head = await call('AuditService', 'GetTreeHead', {});
  const l = head.latest || {};
  return h('section', {}, h('h1', {}, t('nav.audit')),
    h('h2', {}, t('audit.tree_head')),
    h('dl', {class: 'props', id: 'tree-head'},
      h('dt', {}, t('audit.authority')), h('dd', {}, l.authorityId || ''),
      h('dt', {}, t('audit.tree_size')), h('dd', {}, formatNumber(l.treeSize)),
      h('dt', {}, t('audit.root')), h('dd', {}, h('code', {}, hex(l.rootHash))),
      h('dt', {}, t('audit.time')), h('dd', {}, formatTime(l.timestamp)),
      h('dt', {}, t('audit.signer')), h('dd', {}, h('code', {}, l.signerCertificateSha256 || ''))),
    h('h2', {}, t('audit.access_log')), accessLogForm(),
    h('h2', {}, t('audit.receipts')), receiptsForm());
}
