// The pwx web page: loads the user, the language, and renders the page the
// hash names (#/cases/ID). Search terms and personal data never go in the
// hash: they stay in the forms.
import {ApiError, call} from './js/api.js';
import {h, replace} from './js/dom.js';
import {LANGUAGES, LANGUAGE_NAMES, pickLanguage, setLanguage, t, language} from './js/i18n.js';
import {isAuditor, isInspector, loadSession, session} from './js/session.js';
import {renderDashboard} from './js/dashboard.js';
import {renderCaseList, renderCaseNew, renderCase} from './js/cases.js';
import {renderRequestList, renderRequestNew, renderRequest} from './js/requests.js';
import {renderPlanList, renderPlanNew, renderPlan} from './js/plans.js';
import {renderScoreboard} from './js/scoreboard.js';
import {renderAudit} from './js/audit.js';

// Route patterns → [render function, nav key, who may see it].
const ROUTES = [
  [/^\/$/, renderDashboard, 'dashboard', () => true],
  [/^\/cases$/, renderCaseList, 'cases', isInspector],
  [/^\/cases\/new$/, renderCaseNew, 'cases', isInspector],
  [/^\/cases\/([A-Za-z0-9-]+)$/, renderCase, 'cases', isInspector],
  [/^\/requests$/, renderRequestList, 'requests', isInspector],
  [/^\/requests\/new$/, renderRequestNew, 'requests', isInspector],
  [/^\/requests\/new\/([A-Za-z0-9-]+)$/, renderRequestNew, 'requests', isInspector],
  [/^\/requests\/([A-Za-z0-9-]+)$/, renderRequest, 'requests', isInspector],
  [/^\/plans$/, renderPlanList, 'plans', isInspector],
  [/^\/plans\/new$/, renderPlanNew, 'plans', isInspector],
  [/^\/plans\/([A-Za-z0-9-]+)$/, renderPlan, 'plans', isInspector],
  [/^\/scoreboard$/, renderScoreboard, 'scoreboard', () => isInspector() || isAuditor()],
  [/^\/audit$/, renderAudit, 'audit', isAuditor],
];

const NAV = [
  ['dashboard', '#/', () => true],
  ['cases', '#/cases', isInspector],
  ['requests', '#/requests', isInspector],
  ['plans', '#/plans', isInspector],
  ['scoreboard', '#/scoreboard', () => isInspector() || isAuditor()],
  ['audit', '#/audit', isAuditor],
];

function currentPath() {
  const hash = location.hash.replace(/^#/, '');
  return hash.startsWith('/') ? hash : '/';
}

function renderNav(active) {
  const items = NAV.filter(([, , may]) => may()).map(([key, href]) =>
    h('li', {}, h('a', {href, 'aria-current': key === active ? 'page' : null}, t(`nav.${key}`))));
  replace(document.getElementById('nav'), h('ul', {}, items));
}

function renderChrome() {
  document.getElementById('skip-link').textContent = t('skip');
  document.getElementById('nav').setAttribute('aria-label', t('nav.label'));
  document.getElementById('authority').textContent = session.authority;
  document.getElementById('who').textContent =
    t('signed_in_as', {name: session.name, roles: session.roles.map((r) => t(`enum.${r}`)).join(', ')});
  document.getElementById('language-label').textContent = t('language');
  const select = document.getElementById('language');
  replace(select, LANGUAGES.map((code) =>
    h('option', {value: code, lang: code, selected: code === language()}, LANGUAGE_NAMES[code])));
}

let renderCount = 0;

// Renders the page of the current hash into <main>. `focus`: move the
// focus to <main> (after a navigation, so keyboard and screen reader users
// start at the new content).
export async function route(focus = true) {
  const path = currentPath();
  const main = document.getElementById('main');
  const found = ROUTES.find(([re]) => re.test(path));
  const mine = ++renderCount;
  if (!found || !found[3]()) {
    renderNav('');
    replace(main, h('h1', {}, t('not_found')), h('p', {}, h('a', {href: '#/'}, t('nav.dashboard'))));
    document.title = `${t('not_found')} – pwx`;
    main.dataset.rendered = path;
    return;
  }
  const [re, render, key] = found;
  const args = re.exec(path).slice(1).map(decodeURIComponent);
  renderNav(key);
  main.removeAttribute('data-rendered');
  replace(main, h('p', {class: 'meta'}, t('loading')));
  try {
    const content = await render(...args);
    if (mine !== renderCount) return;  // a later navigation won
    replace(main, content);
  } catch (error) {
    if (mine !== renderCount) return;
    replace(main, h('h1', {}, t('error.title')),
            h('p', {role: 'alert'}, error instanceof ApiError && error.code
              ? `${error.message} (${error.code})` : String(error.message || error)));
  }
  // For the browser test's record of how long a page took (not asserted).
  performance.mark('pwx-rendered');
  main.dataset.rendered = path;
  const heading = main.querySelector('h1');
  document.title = `${heading ? heading.textContent : 'pwx'} – pwx ${session.authority}`;
  if (focus) main.focus();
}

async function changeLanguage(event) {
  const code = event.target.value;
  try {
    await call('UserService', 'SetLanguage', {language: code});
    session.language = code;
  } catch (error) {
    document.getElementById('announce').textContent = error.message;
  }
  await setLanguage(code);
  renderChrome();
  await route(false);
  document.getElementById('announce').textContent = t('language_changed', {language: LANGUAGE_NAMES[code]});
  document.getElementById('language').focus();
}

async function start() {
  const main = document.getElementById('main');
  try {
    await loadSession();
  } catch (error) {
    await setLanguage(pickLanguage('', navigator.languages));
    replace(main, h('h1', {}, t('error.title')),
            h('p', {role: 'alert'}, error.status === 403 || error.status === 401
              ? t('error.no_role') : error.message));
    return;
  }
  await setLanguage(pickLanguage(session.language, navigator.languages));
  renderChrome();
  document.getElementById('language').addEventListener('change', changeLanguage);
  document.getElementById('language-form').addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('hashchange', () => route());
  await route(false);
}

start();
