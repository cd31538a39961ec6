// The Art. 16 penalty instrument's controls (notification and recovery
// requests), for a new request and for the requester's modification.
import {field, h} from './dom.js';
import {t} from './i18n.js';

// The Art. 16 uniform instrument of notification and recovery requests:
// [field, kind], named as the node names them under content.penalty.
export const PENALTY_FIELDS = [['addressee_name', 'text'], ['addressee_address', 'text'],
  ['addressee_identification', 'text'], ['summary_of_facts', 'textarea'],
  ['nature_of_infringement', 'text'], ['applicable_rules', 'text'],
  ['enforcement_instrument', 'text'], ['assessing_authority', 'text'],
  ['challenge_body', 'text'], ['penalty_nature', 'text'], ['enforceable_date', 'date'],
  ['amount.currency', 'currency'], ['amount.cents', 'amount'], ['enforcement_dates', 'text'],
  ['served', 'checkbox'], ['service_details', 'text'], ['given_in_default', 'checkbox'],
  ['no_further_appeal', 'checkbox'], ['underlying_claim', 'textarea']];

export const camel = (s) => s.replace(/_([a-z])/g, (m, c) => c.toUpperCase());

// The instrument's controls, filled with `penalty` (a request's, for a
// modification); hidden until the kind asks for them unless `shown`.
export function penaltyFieldset(penalty = {}, shown = false) {
  const given = (name) => {
    if (name === 'amount.currency') return (penalty.amount && penalty.amount.currency) || '';
    if (name === 'amount.cents') {
      return penalty.amount && penalty.amount.cents ? String(Number(penalty.amount.cents) / 100) : '';
    }
    return penalty[camel(name)];
  };
  return h('fieldset', {id: 'req-penalty', hidden: !shown},
    h('legend', {}, t('penalty.legend')),
    h('p', {class: 'hint'}, t('penalty.hint')),
    PENALTY_FIELDS.map(([name, kind]) => {
      const id = `pen-${name.replace(/\W/g, '-')}`;
      const v = given(name);
      const attrs = {name: `penalty.${name}`, id, 'data-field': `content.penalty.${name}`};
      const text = t(`penalty.${name}`);
      if (v !== undefined && v !== null && v !== true && v !== false) attrs.value = String(v);
      if (kind === 'checkbox') {
        return h('div', {class: 'field inline'}, h('input', Object.assign({type: 'checkbox', checked: v === true},
          attrs)),
          h('label', {for: id}, text));
      }
      if (kind === 'textarea') return field(text, h('textarea', attrs));
      if (kind === 'date') return field(text, h('input', Object.assign({type: 'date'}, attrs)));
      if (kind === 'currency') {
        return field(text, h('input', Object.assign({type: 'text', size: 4, maxlength: 3}, attrs)), 'EUR, PLN, …');
      }
      if (kind === 'amount') {
        return field(text, h('input', Object.assign({type: 'text', inputmode: 'decimal', size: 12}, attrs)));
      }
      return field(text, h('input', Object.assign({type: 'text'}, attrs)));
    }));
}

// The penalty instrument the form holds (undefined for other kinds). An
// amount is read as units of the currency with up to two decimals.
export function readPenalty(form) {
  const penalty = {};
  for (const [name, kind] of PENALTY_FIELDS) {
    const el = form.elements.namedItem(`penalty.${name}`);
    if (kind === 'checkbox') {
      if (el.checked) penalty[camel(name)] = true;
      continue;
    }
    const v = String(el.value || '').trim();
    if (!v) continue;
    if (name === 'amount.currency') {
      penalty.amount = Object.assign(penalty.amount || {}, {currency: v.toUpperCase()});
    } else if (name === 'amount.cents') {
      const cents = Math.round(Number(v.replace(',', '.')) * 100);
      if (!Number.isFinite(cents)) {
        throw Object.assign(new Error(t('penalty.bad_amount')), {field: 'content.penalty.amount.cents'});
      }
      penalty.amount = Object.assign(penalty.amount || {}, {cents: String(cents)});
    } else {
      penalty[camel(name)] = v;
    }
  }
  return penalty;
}

export const PENALTY_KINDS = ['REQUEST_KIND_NOTIFICATION_OF_DECISION', 'REQUEST_KIND_RECOVERY_OF_PENALTY'];
