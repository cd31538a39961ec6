// The interface's languages: messages from /i18n/<lang>.json, dates and
// numbers through Intl in the same language.

export const LANGUAGES = ['en', 'fr', 'de', 'pl'];
export const LANGUAGE_NAMES = {en: 'English', fr: 'Français', de: 'Deutsch', pl: 'Polski'};

let lang = 'en';
let messages = {};
let fallback = {};

// The interface language for a user setting ("pl-PL") and the browser's
// list: the first whose primary tag is one of LANGUAGES, else English.
export function pickLanguage(userLanguage, browserLanguages) {
  for (const tag of [userLanguage, ...(browserLanguages || [])]) {
    const primary = String(tag || '').toLowerCase().split('-')[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'en';
}

async function fetchMessages(code) {
  const response = await fetch(`/i18n/${code}.json`, {credentials: 'same-origin'});
  if (!response.ok) throw new Error(`/i18n/${code}.json: HTTP ${response.status}`);
  return response.json();
}

// Loads `code`'s messages (English for missing keys) and sets <html lang>.
export async function setLanguage(code) {
  if (!fallback.app_name) fallback = await fetchMessages('en');
  messages = code === 'en' ? fallback : await fetchMessages(code);
  lang = code;
  document.documentElement.lang = code;
}

export function language() {
  return lang;
}

// The message `key`, with {name} placeholders filled from `params`; the
// key itself when no language has it (visible, so a gap is noticed).
export function t(key, params = {}) {
  const text = messages[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    (params[name] !== undefined ? String(params[name]) : m));
}

// The message `key`, or `otherwise` when no language has it.
export function tOr(key, otherwise, params = {}) {
  return (messages[key] ?? fallback[key]) !== undefined ? t(key, params) : otherwise;
}

// An enum value's label: "REQUEST_STATE_ACCEPTED" → the message
// "enum.REQUEST_STATE_ACCEPTED", else the value without its type's name,
// made readable ("PLAN_ACTION_KIND_INSPECTION" → "inspection").
export function label(value) {
  if (!value) return t('none');
  const key = `enum.${value}`;
  if (messages[key] ?? fallback[key]) return t(key);
  const long = /^PLAN_ACTION_KIND_/.test(value);
  return value.replace(long ? /^[A-Z]+_[A-Z]+_[A-Z]+_/ : /^[A-Z]+_[A-Z]+_/, '')
    .replace(/_/g, ' ').toLowerCase();
}

// "2026-12-01" (a calendar day) for the language, without time zones.
export function formatDay(day) {
  if (!day) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(lang, {dateStyle: 'medium', timeZone: 'UTC'}).format(date);
}

// An RFC 3339 timestamp as a local date and time.
export function formatTime(timestamp) {
  if (!timestamp) return '';
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  return new Intl.DateTimeFormat(lang, {dateStyle: 'medium', timeStyle: 'short'}).format(date);
}

export function formatNumber(n, digits = 0) {
  return new Intl.NumberFormat(lang, {maximumFractionDigits: digits}).format(Number(n || 0));
}

export function formatBytes(n) {
  const size = Number(n || 0);
  if (size < 1024) return `${formatNumber(size)} B`;
  if (size < 1024 * 1024) return `${formatNumber(size / 1024, 1)} KiB`;
  return `${formatNumber(size / 1024 / 1024, 1)} MiB`;
}
