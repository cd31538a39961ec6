#!/usr/bin/env python3
"""The web page walked in headless Chromium (run by web_e2e.sh).

Reads the JSON file web_e2e.sh writes (users with their home directory,
which holds the NSS store with their certificate, and their node's page
address; how many cases FR-DGT holds and one of them). Prints "ok - ..."
per check and exits 1 at the first failure, with a screenshot of the page
in the artefacts directory. Writes the request's id to TMP/request_id for
the CLI checks that follow, and how long the dashboard and the case pages
took to render (Navigation Timing: from the navigation's start to the
page's "pwx-rendered" mark, set once its API calls answered and its
content is in the page) to ARTEFACTS/timings.json and the output.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (NoSuchElementException, StaleElementReferenceException, TimeoutException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

# Generous: sanitizer builds answer slowly. Nothing here asserts a duration.
WAIT_S = 60
DELIVERY_S = 120

CONFIG = json.load(open(sys.argv[1]))
ART = CONFIG['artefacts']
AXE = open(CONFIG['axe_js'], encoding='utf-8').read()
BROWSERS = []
STEP = [0]
TIMINGS = {}
API_CALLS = {}


class Failure(Exception):
    pass


def ok(text):
    print(f'ok - {text}', flush=True)


class Browser:
    """One user's Chromium: their NSS store (HOME), a fresh profile that
    picks their certificate for their node without asking, headless."""

    def __init__(self, user):
        self.user = user
        spec = CONFIG['users'][user]
        self.base = spec['url']
        home = spec['home']
        profile = os.path.join(home, 'profile')
        os.makedirs(os.path.join(profile, 'Default'), exist_ok=True)
        # The AutoSelectCertificateForUrls policy, as the profile's content
        # setting: per run, no system-wide policy file needed.
        origin = self.base.replace('localhost', '127.0.0.1')
        exceptions = {f'{o},*': {'last_modified': '13300000000000000',
                                 'setting': {'filters': [{}]}}
                      for o in {self.base, origin}}
        prefs = {'profile': {'content_settings': {'exceptions': {
            'auto_select_certificate': exceptions}}}}
        if spec.get('browser_language'):
            prefs['intl'] = {'accept_languages': spec['browser_language']}
        with open(os.path.join(profile, 'Default', 'Preferences'), 'w') as f:
            json.dump(prefs, f)
        options = webdriver.ChromeOptions()
        options.binary_location = CONFIG['chromium']
        for arg in ['--headless=new', '--no-sandbox', '--disable-gpu',
                    '--disable-dev-shm-usage', '--no-first-run',
                    '--window-size=1280,1600', f'--user-data-dir={profile}']:
            options.add_argument(arg)
        if spec.get('browser_language'):
            options.add_argument(f"--lang={spec['browser_language']}")
        env = dict(os.environ, HOME=home)
        service = Service(CONFIG['chromedriver'], env=env,
                          log_path=os.path.join(CONFIG['tmp'], f'chromedriver-{user}.log'))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(WAIT_S)
        self.driver.set_script_timeout(WAIT_S)
        BROWSERS.append(self)

    def wait(self, condition, what, timeout=WAIT_S):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException)).until(condition)
        except TimeoutException:
            raise Failure(f'{self.user}: {what} (not within {timeout}s)')

    def rendered(self, path):
        """Waits until the page of `path` ("/cases/ID") has rendered."""
        self.wait(lambda d: d.find_element(By.ID, 'main').get_attribute('data-rendered') == path,
                  f'the page {path} renders')

    def open(self, path):
        """Loads the page of `path` afresh (not a same-document hash
        change) and waits until it has rendered."""
        self.driver.get('about:blank')
        self.driver.get(f'{self.base}/#{path}')
        self.rendered(path)
        # The page's own calls (the user is read once per load, before any
        # page): at most 3 per render.
        calls = self.driver.execute_script("""
          return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)
            .filter((p) => p.startsWith('/api/v1/') && !p.endsWith('/GetCurrentUser'));""")
        if len(calls) > 3:
            raise Failure(f'{self.user}: {path} takes {len(calls)} API calls to render: {calls}')
        API_CALLS[path.split('/')[1] or 'dashboard'] = max(
            len(calls), API_CALLS.get(path.split('/')[1] or 'dashboard', 0))

    def hash_path(self):
        return self.driver.execute_script('return location.hash.replace(/^#/, "")')

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def finds(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def present(self, css, what):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, css)), what)

    def fill(self, css, text):
        el = self.find(css)
        el.clear()
        el.send_keys(text)

    def shot(self, name):
        STEP[0] += 1
        path = os.path.join(ART, f'{STEP[0]:02d}-{self.user}-{name}.png')
        self.driver.save_screenshot(path)

    def axe(self, page):
        """No serious or critical axe-core violation on the current page."""
        self.driver.execute_script(AXE)
        found = self.driver.execute_async_script("""
          const done = arguments[arguments.length - 1];
          axe.run(document, {resultTypes: ['violations']}).then(
            (r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))),
            (e) => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));""")
        bad = [v for v in found if v['impact'] in ('serious', 'critical')]
        with open(os.path.join(ART, f'axe-{self.user}-{page}.json'), 'w') as f:
            json.dump(found, f, indent=1)
        if bad:
            raise Failure(f'{self.user}: axe on {page}: ' + '; '.join(
                f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in bad))
        ok(f'{self.user}: axe-core finds no serious or critical violation on {page}'
           f' ({len(found)} minor)')

    def timing(self, name):
        """Records how long the page took: navigation to load event, to
        the page's own "rendered" mark (after its API calls), and its
        slowest API call."""
        t = self.driver.execute_script("""
          const n = performance.getEntriesByType('navigation')[0];
          const marks = performance.getEntriesByName('pwx-rendered');
          const api = performance.getEntriesByType('resource')
            .filter((e) => new URL(e.name).pathname.startsWith('/api/v1/')).map((e) => e.duration);
          return {load_ms: n ? Math.round(n.loadEventEnd) : null,
                  rendered_ms: marks.length ? Math.round(marks[marks.length - 1].startTime) : null,
                  slowest_api_ms: Math.round(Math.max(0, ...api))};""")
        TIMINGS[name] = t
        print(f'# timing {name}: load event {t["load_ms"]} ms, rendered {t["rendered_ms"]} ms, '
              f'slowest API call {t["slowest_api_ms"]} ms (recorded, not asserted)', flush=True)

    def fetch(self, service, method, body, extra_headers=True):
        """Calls the JSON API from the page's own JavaScript; returns
        {status, body}."""
        return self.driver.execute_async_script("""
          const [service, method, body, headers, done] = arguments;
          const h = {'Content-Type': 'application/json'};
          if (headers) h['X-PWX-Request'] = '1';
          fetch(`/api/v1/${service}/${method}`, {method: 'POST', headers: h, body: JSON.stringify(body)})
            .then(async (r) => done({status: r.status, body: await r.text()}),
                  (e) => done({status: 0, body: String(e)}));""",
                                                 service, method, body, extra_headers)

    def state(self):
        return self.find('#request-state').get_attribute('data-state')

    def plan_state(self):
        return self.find('#plan-heading').get_attribute('data-state')

    def reload_until_state(self, path, state, timeout=DELIVERY_S, read=None):
        read = read or self.state
        deadline = time.monotonic() + timeout
        while True:
            self.open(path)
            if read() == state:
                return
            if time.monotonic() > deadline:
                raise Failure(f'{self.user}: {path} reaches {state} (it is {read()})')
            time.sleep(0.5)

    def offered(self):
        return sorted(f.get_attribute('data-action') for f in self.finds('form[data-action]'))

    def act(self, action, fill=None):
        """Submits the form of `action` on the request page and waits for
        the page to render again."""
        form = self.present(f'form[data-action="{action}"]', f'a form for {action}')
        if fill:
            fill(form)
        path = self.hash_path()
        self.find(f'#do-{action}').click()
        def answered(_):
            # The page renders again (the form goes) or the form shows why not.
            try:
                return bool(form.find_elements(By.CSS_SELECTOR, '.form-status:not(:empty)'))
            except StaleElementReferenceException:
                return True
        self.wait(answered, f'{action} is submitted')
        errors = [e.text for e in self.finds(f'form[data-action="{action}"] .form-status') if e.text]
        if errors:
            raise Failure(f'{self.user}: {action} refused: {errors}')
        self.rendered(path)


def walk():
    alice = Browser('alice')
    fr = CONFIG['users']['alice']['authority']

    # --- FR-DGT: the dashboard, the language, a wrong field, a case -----
    alice.open('/')
    alice.timing('dashboard')
    if alice.driver.execute_script('return document.documentElement.lang') != 'en':
        raise Failure('alice: the page is in English (no preference, English browser)')
    nav = [a.get_attribute('href').split('#')[1] for a in alice.finds('nav a')]
    if '/cases' not in nav or '/requests' not in nav:
        raise Failure(f'alice (inspector) sees cases and requests in the menu: {nav}')
    if alice.find('#skip-link').get_attribute('href').split('#')[1] != 'main':
        raise Failure('the skip link leads to main')
    alice.shot('dashboard')
    alice.axe('dashboard')
    ok('alice: the FR-DGT dashboard, in English, with the inspector menu')

    # Keyboard: Tab from the top reaches the skip link first.
    ActionChains(alice.driver).send_keys(Keys.TAB).perform()
    if alice.driver.switch_to.active_element.get_attribute('id') != 'skip-link':
        raise Failure('the first Tab focuses the skip link')
    ok('keyboard: the first Tab focuses the skip link')

    Select(alice.find('#language')).select_by_value('fr')
    alice.wait(lambda d: d.execute_script('return document.documentElement.lang') == 'fr',
               'the page switches to French')
    alice.wait(lambda d: 'Dossiers' in d.find_element(By.ID, 'nav').text, 'the menu is in French')
    alice.open('/')
    alice.timing('dashboard (again)')
    if alice.driver.execute_script('return document.documentElement.lang') != 'fr':
        raise Failure('alice: the French setting is kept (UserService/SetLanguage) across loads')
    alice.shot('dashboard-fr')
    alice.axe('dashboard-fr')
    Select(alice.find('#language')).select_by_value('en')
    alice.wait(lambda d: d.execute_script('return document.documentElement.lang') == 'en',
               'the page switches back to English')
    ok('alice: the language picker switches to French and is kept for the user')

    alice.open('/cases/new')
    alice.fill('[data-field="case.title"]', 'Construction site Lyon-Part-Dieu')
    alice.fill('[data-field="case.undertaking.name"]', 'Demo Bau Sp. z o.o.')
    alice.fill('[data-field="case.undertaking.registration_number"]', 'PL5260001246')
    alice.fill('[data-field="case.undertaking.country_of_establishment"]', 'XX')
    alice.fill('[data-field="case.workers[0].full_name"]', 'Jan Kowalski')
    alice.fill('[data-field="case.workers[0].posting_period.start_date"]', '01012026')
    alice.find('#case-create').click()
    country = alice.find('[data-field="case.undertaking.country_of_establishment"]')
    alice.wait(lambda d: country.get_attribute('aria-invalid') == 'true',
               'the wrong country is marked invalid')
    note = alice.find('[data-field="case.undertaking.country_of_establishment"] + .field-error')
    described = (country.get_attribute('aria-describedby') or '').split()
    if note.get_attribute('id') not in described or not note.text:
        raise Failure(f'the error is beside the field and linked: {note.text!r} {described}')
    if alice.driver.switch_to.active_element != country:
        raise Failure('the focus goes to the field at fault')
    live = alice.find('#case-form > .form-status')
    if live.get_attribute('role') != 'alert' or note.text not in live.text:
        raise Failure(f'the error is announced in the live region: {live.text!r}')
    alice.shot('case-wrong-country')
    alice.axe('case-new-with-error')
    ok(f'a wrong country shows its message beside the field: "{note.text}"')

    alice.fill('[data-field="case.undertaking.country_of_establishment"]', 'PL')
    alice.find('#case-create').click()
    alice.wait(lambda d: d.execute_script('return location.hash').startswith(f'#/cases/{fr}-'),
               'the new case opens')
    case_path = alice.hash_path()
    case_id = case_path.split('/')[-1]
    alice.rendered(case_path)
    if 'Jan Kowalski' not in alice.find('#main').text:
        raise Failure('the case page lists the worker')
    alice.open(case_path)
    alice.timing('case')
    if CONFIG.get('bulk_case_id'):
        bulk = CONFIG['bulk_case_id']
        alice.open(f'/cases/{bulk}')
        alice.timing('case (bulk-loaded)')
        if bulk not in alice.find('#main').text:
            raise Failure(f'alice: the page of the bulk-loaded case {bulk} shows it')
    alice.open('/cases')
    alice.timing('case list')
    alice.open(case_path)
    alice.fill('#note-text', 'Site visit planned; A1 forms requested.')
    alice.find('#note-form button[type=submit]').click()
    alice.wait(lambda d: 'A1 forms requested' in d.find_element(By.ID, 'main').text
               and d.find_element(By.ID, 'main').get_attribute('data-rendered') == case_path,
               'the note appears')
    upload = os.path.join(CONFIG['tmp'], 'site-report.txt')
    with open(upload, 'w') as f:
        f.write('Site report: 4 workers on site.\n')
    alice.find('#upload-file').send_keys(upload)
    alice.find('#upload-form button[type=submit]').click()
    alice.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'a[download="site-report.txt"]'),
               'the uploaded file is listed with a download link')
    href = alice.find('a[download="site-report.txt"]').get_attribute('href')
    got = alice.driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      fetch(arguments[0]).then(async (r) => done({status: r.status,
        disposition: r.headers.get('Content-Disposition') || '', text: await r.text()}),
        (e) => done({status: 0, text: String(e)}));""", href)
    if got['status'] != 200 or 'Site report' not in got['text'] or 'attachment' not in got['disposition']:
        raise Failure(f'the attachment downloads as a file: {got}')
    alice.shot('case')
    alice.axe('case')
    ok(f'alice files case {case_id}, adds a note, uploads and downloads a document')

    # --- FR-DGT sends an information request about the case -----------
    alice.find('#new-request-link').click()
    alice.rendered(f'/requests/new/{case_id}')
    alice.fill('#req-recipient', 'PL-PIP')
    Select(alice.find('#req-kind')).select_by_value('REQUEST_KIND_INFORMATION')
    alice.fill('#req-subject', 'Demo Bau Sp. z o.o., PL5260001246; worker Jan Kowalski')
    alice.find('#q-EST-01').click()
    alice.fill('#req-text', "Who pays the workers' travel?")
    alice.shot('request-new')
    alice.axe('request-new')
    alice.find('#request-create').click()
    alice.wait(lambda d: d.execute_script('return location.hash').startswith(f'#/requests/{fr}-R-'),
               'the draft opens')
    request_path = alice.hash_path()
    request_id = request_path.split('/')[-1]
    with open(os.path.join(CONFIG['tmp'], 'request_id'), 'w') as f:
        f.write(request_id)
    alice.rendered(request_path)
    if alice.state() != 'REQUEST_STATE_DRAFT':
        raise Failure(f'the request is a draft: {alice.state()}')
    offered = sorted(f.get_attribute('data-action') for f in alice.finds('form[data-action]'))
    if offered != ['send']:
        raise Failure(f'a draft offers only send to its requester: {offered}')
    alice.act('send')
    alice.reload_until_state(request_path, 'REQUEST_STATE_AWAITING_ACCEPTANCE')
    offered = sorted(f.get_attribute('data-action') for f in alice.finds('form[data-action]'))
    if 'accept' in offered or 'answer' in offered or 'withdraw' not in offered:
        raise Failure(f'the requester is offered its actions only: {offered}')
    english_question = alice.find('#questions > li').text
    alice.shot('request-sent')
    alice.axe('request-sent')
    ok(f'alice sends {request_id} to PL-PIP; it awaits acceptance there')

    # The requester modifies the sent request: an agreed period and a
    # catalogue question more, neither changeable from the page before.
    def modify(form):
        period = form.find_element(By.ID, 'mod-period')
        period.clear()
        period.send_keys('10')
        form.find_element(By.CSS_SELECTOR, '#mod-questions details > summary').click()
        form.find_element(By.ID, 'mod-q-EST-02').click()
    alice.axe('request-modify-form')
    alice.act('modify', modify)
    questions = [li.text for li in alice.finds('#questions > li')]
    if len(questions) != 3 or not questions[2].startswith('EST-02') or not questions[0].startswith('EST-01'):
        raise Failure(f'alice: the modified request keeps its questions and adds EST-02: {questions}')
    if alice.find('#request-agreed-period').text != '10':
        raise Failure('alice: the request shows the agreed period of 10 working days')
    entry = alice.finds('#history > li[data-action="modify"]')
    if not entry or 'Agreed period (working days): 10' not in entry[-1].text \
            or 'Questions: 3' not in entry[-1].text:
        raise Failure(f'the history shows the modification (period 10, 3 questions): '
                      f'{[e.text for e in entry]}')
    ok(f'alice modifies {request_id}: agreed period 10 days, EST-02 added; the history shows it')

    # --- PL-PIP accepts and answers, in Polish ---------------------------
    piotr = Browser('piotr')
    deadline = time.monotonic() + DELIVERY_S
    while True:
        piotr.open('/')
        if piotr.finds(f'a[href="#/requests/{request_id}"]'):
            break
        if time.monotonic() > deadline:
            raise Failure(f'piotr: the dashboard lists {request_id} awaiting acceptance')
        time.sleep(0.5)
    if piotr.driver.execute_script('return document.documentElement.lang') != 'pl':
        raise Failure('piotr: the page is in Polish (his browser asks for pl)')
    piotr.shot('dashboard-pl')
    piotr.axe('dashboard-pl')
    ok(f"piotr: PL-PIP's dashboard, in Polish, lists {request_id} awaiting acceptance")
    piotr.find(f'a[href="#/requests/{request_id}"]').click()
    piotr.rendered(request_path)
    if not piotr.finds('#hidden-note') or 'Kowalski' in piotr.find('#main').text:
        raise Failure('piotr: the personal data are hidden before acceptance')
    offered = sorted(f.get_attribute('data-action') for f in piotr.finds('form[data-action]'))
    if 'accept' not in offered or 'send' in offered or 'close' in offered:
        raise Failure(f'piotr: the recipient is offered its actions only: {offered}')
    piotr.axe('request-awaiting')
    piotr.act('accept')
    if piotr.state() != 'REQUEST_STATE_ACCEPTED' or 'Kowalski' not in piotr.find('#main').text:
        raise Failure('piotr: after accepting, the request is accepted and shows its subject')
    polish_question = piotr.find('#questions > li').text
    if not polish_question.startswith('EST-01') or polish_question == english_question:
        raise Failure(f'the catalogue question is in each reader\'s language: {english_question!r} / {polish_question!r}')
    tags = [e.text for e in piotr.finds('#questions .lang-tag')]
    if not tags or 'en' not in tags[0]:
        raise Failure(f'the free-text question shows the language it was written in: {tags}')
    piotr.shot('request-accepted')
    ok('piotr reads EST-01 in Polish, the free text as written with its language (en)')
    a1 = os.path.join(CONFIG['tmp'], 'a1-forms.txt')
    with open(a1, 'w') as f:
        f.write('A1 PL-2026-000123 issued for Jan Kowalski.\n')
    piotr.find('#req-upload-file').send_keys(a1)
    piotr.find('#request-upload-form button[type=submit]').click()
    piotr.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'a[download="a1-forms.txt"]'),
               'the uploaded document is listed')
    ok('piotr attaches a document to the accepted request')
    piotr.act('answer', lambda form: form.find_element(By.NAME, 'text').send_keys(
        'Registered in Warsaw since 2011; A1 issued; travel paid by the employer.'))
    if piotr.state() != 'REQUEST_STATE_ANSWERED':
        raise Failure(f'piotr: the request is answered: {piotr.state()}')
    piotr.shot('request-answered')
    piotr.axe('request-answered')
    ok(f'piotr accepts and answers {request_id} on PL-PIP')

    # --- FR-DGT closes it ------------------------------------------------
    alice.reload_until_state(request_path, 'REQUEST_STATE_ANSWERED')
    deadline = time.monotonic() + DELIVERY_S
    while not alice.finds('a[download="a1-forms.txt"]'):
        if time.monotonic() > deadline:
            raise Failure("alice: PL-PIP's document arrives and can be downloaded")
        time.sleep(0.5)
        alice.open(request_path)
    got = alice.driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      fetch(arguments[0]).then(async (r) => done({status: r.status, text: await r.text()}),
        (e) => done({status: 0, text: String(e)}));""",
        alice.find('a[download="a1-forms.txt"]').get_attribute('href'))
    if got['status'] != 200 or 'PL-2026-000123' not in got['text']:
        raise Failure(f"alice downloads PL-PIP's document as sent: {got}")
    ok("alice downloads the document PL-PIP attached, as it was sent")
    alice.act('close')
    if alice.state() != 'REQUEST_STATE_CLOSED':
        raise Failure(f'alice: the request is closed: {alice.state()}')
    steps = [li.get_attribute('data-action') for li in alice.finds('#history > li')]
    if steps[:1] != ['send'] or steps[-1:] != ['close']:
        raise Failure(f'the timeline runs from send to close: {steps}')
    alice.shot('request-closed')
    alice.axe('request-closed')
    ok(f'alice closes {request_id}; the timeline shows {", ".join(steps)}')

    for path, name in [('/cases', 'cases'), ('/requests', 'requests'), ('/plans', 'plans'),
                       ('/scoreboard', 'scoreboard')]:
        alice.open(path)
        alice.shot(name)
        alice.axe(name)
    if alice.finds('.peer-score table') and not alice.finds('.peer-score svg.chart'):
        raise Failure('the scoreboard draws its indicators as SVG charts')
    ok('alice: the case list, requests, plans and scoreboard pages render')

    # --- A joint inspection plan, made and worked through the pages -------
    def set_value(el, text):
        """Sets a control's value as a user picking it would (date inputs
        take keys in the browser's locale format; this does not)."""
        alice.driver.execute_script("""
          arguments[0].value = arguments[1];
          arguments[0].dispatchEvent(new Event('input', {bubbles: true}));
          arguments[0].dispatchEvent(new Event('change', {bubbles: true}));""", el, text)

    def refused_beside(browser, form_css, button_css, field, what):
        """Submits and expects the node's (or the page's) error beside the
        control of API field `field`."""
        browser.find(button_css).click()
        control = browser.find(f'{form_css} [data-field="{field}"]')
        browser.wait(lambda d: control.get_attribute('aria-invalid') == 'true', f'{what} is marked invalid')
        note = browser.find(f'{form_css} [data-field="{field}"] + .field-error')
        if note.get_attribute('id') not in (control.get_attribute('aria-describedby') or '').split():
            raise Failure(f'{what}: the message is beside the field and linked to it')
        if browser.driver.switch_to.active_element != control:
            raise Failure(f'{what}: the focus goes to the field at fault')
        return note.text

    alice.open('/plans')
    alice.find('#new-plan-link').click()
    alice.rendered('/plans/new')
    alice.axe('plan-new')
    alice.fill('#create-scope', 'Construction sites of posting undertakings')
    message = refused_beside(alice, '#plan-form', '#plan-create', 'create.content.title', 'an empty title')
    alice.shot('plan-new-empty-title')
    alice.axe('plan-new-with-error')
    ok(f'an empty plan title shows its message beside the field: "{message}"')
    Select(alice.find('#plan-kind')).select_by_value('PLAN_KIND_JOINT_INSPECTION')
    alice.fill('#create-title', 'Joint inspection of construction sites')
    alice.fill('#create-strategic-objectives', 'Fair pay for posted workers')
    alice.fill('#create-operational-objectives', 'Inspect 20 construction sites\nCheck A1 coverage')
    alice.fill('#create-sectors', 'F41.20')
    alice.fill('#create-targets', 'Demo Bau Sp. z o.o.; PL5260001246; PL')
    alice.fill('#create-case-ids', case_id)
    alice.fill('#create-purpose', 'Check pay and posting declarations')
    alice.fill('#create-legal-basis', 'Directive 2014/67/EU, Art. 10')
    alice.find('#create-add-indicator').click()
    alice.fill('#create-ind-0-id', 'sites')
    alice.fill('#create-ind-0-description', 'Sites inspected')
    Select(alice.find('#create-ind-0-source')).select_by_value('INDICATOR_SOURCE_MANUAL')
    alice.fill('#create-ind-0-target', '20')
    alice.fill('#create-ind-0-unit', 'sites')
    alice.find('#plan-create').click()
    alice.wait(lambda d: d.execute_script('return location.hash').startswith(f'#/plans/{fr}-P-'),
               'the new plan opens')
    plan_path = alice.hash_path()
    plan_id = plan_path.split('/')[-1]
    alice.rendered(plan_path)
    if alice.plan_state() != 'PLAN_STATE_DRAFT':
        raise Failure(f'alice: the new plan is a draft: {alice.plan_state()}')
    if alice.finds(f'#plan-cases a[href="#/cases/{case_id}"]') == [] or \
            alice.find('#indicators tr[data-indicator="sites"]').text.count('20') < 1:
        raise Failure('the plan page shows the linked case and the indicator with its target')
    if alice.offered() != ['addAction', 'amend', 'cancel', 'editDraft', 'invite', 'propose']:
        raise Failure(f'alice (lead) may edit, invite, add, amend, propose or cancel the draft: {alice.offered()}')
    alice.axe('plan-draft')
    ok(f'alice creates {plan_id} on the page, with an indicator and case {case_id}')

    alice.act('editDraft', lambda form: alice.fill('#edit-scope', 'Construction sites in Alsace'))
    if 'Construction sites in Alsace' not in alice.find('#plan-props').text:
        raise Failure('alice: the edited scope shows')
    alice.act('invite', lambda form: alice.fill('#plan-invite-authority', 'PL-PIP'))
    if 'PL-PIP' not in alice.find('#plan-participants').text:
        raise Failure('alice: PL-PIP is listed as invited')
    form = alice.present('form[data-action="addAction"]', 'the form to add an action')
    set_value(alice.find('#add-date'), '2027-03-05')
    set_value(alice.find('#add-end-date'), '2027-03-02')
    alice.fill('#add-place', 'Strasbourg')
    Select(alice.find('#add-responsible')).select_by_value('PL-PIP')
    message = refused_beside(alice, 'form[data-action="addAction"]', '#do-addAction',
                             'add_action.action.end_date', 'an end date before the date')
    alice.shot('plan-bad-end-date')
    alice.axe('plan-draft-with-error')
    ok(f'an end date before the date shows its message beside the field: "{message}"')
    set_value(alice.find('#add-date'), '2027-03-02')
    set_value(alice.find('#add-end-date'), '')
    alice.act('addAction')
    if 'A1: Inspection' not in alice.find('#main').text:
        raise Failure(f'the schedule names the action "A1: Inspection": {alice.find("#main").text[:400]!r}')
    alice.act('propose')
    if alice.plan_state() != 'PLAN_STATE_PROPOSED':
        raise Failure(f'alice: the plan is proposed: {alice.plan_state()}')
    ok(f'alice edits the draft, invites PL-PIP, adds A1 (PL-PIP, Strasbourg) and proposes {plan_id}')

    piotr.reload_until_state(plan_path, 'PLAN_STATE_PROPOSED', read=piotr.plan_state)
    if piotr.offered() != ['agree', 'decline']:
        raise Failure(f'piotr (invited coordinator) may agree or decline: {piotr.offered()}')
    if 'A1: Kontrola' not in piotr.find('#main').text:
        raise Failure('piotr: the schedule names the action in Polish, "A1: Kontrola"')
    piotr.shot('plan-proposed')
    piotr.axe('plan-proposed')
    piotr.act('agree')
    alice.reload_until_state(plan_path, 'PLAN_STATE_AGREED', read=alice.plan_state)

    # Two actions of her own, then one changed and one removed by amendment.
    for place in ['Lyon', 'Mulhouse']:
        def action(form, place=place):
            set_value(alice.find('#add-date'), '2027-03-09')
            alice.fill('#add-place', place)
            Select(alice.find('#add-responsible')).select_by_value(fr)
        alice.act('addAction', action)

    def amend(form):
        Select(alice.find('#plan-amend-changed')).select_by_value('A2')
        alice.wait(lambda d: d.find_element(By.ID, 'amend-action-place').get_attribute('value') == 'Lyon',
                   'the action to change fills the form')
        alice.fill('#amend-action-place', 'Lyon 3e')
        alice.find('#plan-remove-A3').click()
        alice.fill('#plan-amend-reason', 'The Mulhouse site closed; the Lyon site moved')
    alice.axe('plan-agreed-forms')
    alice.act('amend', amend)
    text = alice.find('#main').text
    if 'Lyon 3e' not in text or 'Mulhouse' in text or 'A3' in text:
        raise Failure('alice: the amendment changed A2 to Lyon 3e and removed A3')
    if alice.plan_state() != 'PLAN_STATE_AGREED':
        raise Failure(f'an amendment of her own action keeps the plan agreed: {alice.plan_state()}')
    alice.act('start')
    ok(f'alice adds A2 and A3, amends A2 and removes A3, and starts {plan_id}')

    piotr.reload_until_state(plan_path, 'PLAN_STATE_IN_PROGRESS', read=piotr.plan_state)
    if 'addFinding' not in piotr.offered() or 'measure' in piotr.offered():
        raise Failure(f'piotr records findings for his inspection, and no measure: {piotr.offered()}')

    def finding(form):
        form.find_element(By.NAME, 'workers_checked').send_keys('7')
        form.find_element(By.NAME, 'undertakings_checked').send_keys('2')
        form.find_element(By.ID, 'plan-irr-IRREGULARITY_CATEGORY_PAY').send_keys('2')
        form.find_element(By.ID, 'plan-irr-IRREGULARITY_CATEGORY_WORKING_TIME').send_keys('1')
        form.find_element(By.NAME, 'request_ids').send_keys(request_id)
    piotr.axe('plan-finding-form')
    piotr.act('addFinding', finding)
    alice.act('measure', lambda form: alice.fill('#plan-measure-sites', '12.5'))
    measured = alice.find('#indicators tr[data-indicator="sites"] .measured').text
    if not measured.startswith('12.5'):
        raise Failure(f'alice: the measured value shows as 12.5 in English: {measured!r}')
    deadline = time.monotonic() + DELIVERY_S
    while True:
        row = alice.finds('#main table tbody tr')
        text = alice.find('#main').text
        if 'A1-F1' in text:
            break
        if time.monotonic() > deadline:
            raise Failure("alice's page shows PL-PIP's finding A1-F1")
        time.sleep(0.5)
        alice.open(plan_path)
    findings = [r.text for r in alice.finds('#main table tbody tr') if 'A1-F1' in r.text]
    if not findings or 'pay 2' not in findings[0] or 'working time 1' not in findings[0] \
            or request_id not in findings[0]:
        raise Failure(f'the finding shows its irregularity counts and its request: {findings}')
    if not alice.finds(f'ul.request-ids a[href="#/requests/{request_id}"]'):
        raise Failure('the finding links to its request')
    if 'addFinding' not in alice.offered():
        raise Failure('alice records findings for A2, her own action')
    alice.shot('plan-in-progress')
    alice.axe('plan')
    deadline = time.monotonic() + DELIVERY_S
    while True:
        piotr.open(plan_path)
        cell = piotr.finds('#indicators tr[data-indicator="sites"] .measured')
        if cell and cell[0].text.startswith('12,5'):
            break
        if time.monotonic() > deadline:
            raise Failure(f'piotr: the measured value arrives, in Polish (12,5): {cell[0].text if cell else None!r}')
        time.sleep(0.5)
    if 'wynagrodzenie 2' not in piotr.find('#main').text:
        raise Failure('piotr: the irregularity counts show in Polish')
    piotr.shot('plan-measured-pl')
    ok(f'{plan_id}: piotr records a finding (pay 2, working time 1, {request_id}), alice measures '
       '12.5 sites; each page shows both, piotr\'s in Polish (12,5)')
    # The case's page finds the plan through the node's index of plans by
    # case (one ListPlans call, whatever the number of plans).
    alice.open(case_path)
    if not alice.finds(f'#case-plans a[href="#/plans/{plan_id}"]'):
        raise Failure(f"alice: the page of {case_id} lists {plan_id}, which names it: "
                      f"{alice.find('#main').text[:400]!r}")
    ok(f'the page of {case_id} lists {plan_id}, the plan that names it')

    # --- A cross-site form post is refused --------------------------------
    alice.driver.get(CONFIG['attack_url'])
    alice.wait(lambda d: d.current_url.startswith(alice.base), 'the forged form posts to the node')
    body = alice.find('body').text
    if 'refused' not in body:
        raise Failure(f'the cross-site post is refused: {body[:300]!r}')
    alice.shot('cross-site-refused')
    ok('a form posted from another origin is refused')

    # --- An auditor sees no control and is refused by the API -------------
    audrey = Browser('audrey')
    audrey.open('/')
    nav = [a.get_attribute('href').split('#')[1] for a in audrey.finds('nav a')]
    if '/cases' in nav or '/requests' in nav or '/audit' not in nav:
        raise Failure(f'audrey (auditor) sees the audit menu, not cases or requests: {nav}')
    audrey.open(request_path)
    if audrey.finds('form[data-action]') or audrey.finds('#case-form'):
        raise Failure('audrey sees no request control')
    for path in [plan_path, '/plans/new']:
        audrey.open(path)
        if audrey.finds('form[data-action]') or audrey.finds('#plan-form') or audrey.finds('#new-plan-link'):
            raise Failure(f'audrey (auditor) sees no plan control on {path}')
    got = audrey.fetch('PlanService', 'ActOnPlan', {'id': plan_id, 'step': {'measure': {
        'values': [{'indicatorId': 'sites', 'value': 1}]}}})
    if got['status'] != 403:
        raise Failure(f'audrey measuring the plan is refused with 403: {got}')
    ok('audrey (auditor) sees no plan control, and the node refuses her change')
    audrey.open('/audit')
    audrey.fill('#audit-case', case_id)
    audrey.find('#access-log-form button[type=submit]').click()
    audrey.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#access-log table'), 'the access log shows')
    audrey.fill('#audit-peer', 'PL-PIP')
    audrey.find('#receipts-form button[type=submit]').click()
    audrey.wait(lambda d: d.find_elements(By.CSS_SELECTOR, '#receipts table'),
                "PL-PIP's signed receipts show")
    if not audrey.find('#tree-head').text.strip():
        raise Failure('the audit page shows the latest signed tree head')
    audrey.shot('audit')
    audrey.axe('audit')
    for service, method, body in [
            ('RequestService', 'Act', {'id': request_id, 'step': {'reopen': {'reason': 'x'}}}),
            ('CaseService', 'CreateCase', {'case': {'undertaking': {'name': 'X', 'countryOfEstablishment': 'PL'}}}),
            ('PlanService', 'ListPlans', {'caseId': case_id})]:
        got = audrey.fetch(service, method, body)
        if got['status'] != 403 or 'PERMISSION_DENIED' not in got['body']:
            raise Failure(f'audrey calling {service}/{method} is refused with 403: {got}')
    ok('audrey (auditor) sees the tree head, the case access log and PL-PIP\'s receipts; '
       'no control for cases or requests, and the API refuses her calls with 403')
    got = alice.fetch('CaseService', 'ListCases', {}, extra_headers=False)
    if got['status'] != 403:
        raise Failure(f'a POST without X-PWX-Request is refused: {got}')
    ok('a call without the X-PWX-Request header is refused with 403')

    ok('no page took more than 3 API calls to render: ' +
       ', '.join(f'{k} {v}' for k, v in sorted(API_CALLS.items())))
    stored = CONFIG.get('cases_stored', 0)
    print(f'# page load with {stored} cases stored at {fr} (ms to the page rendered, '
          'from navigation start; recorded, not asserted): ' +
          ', '.join(f'{k} {v["rendered_ms"]}' for k, v in TIMINGS.items()), flush=True)
    with open(os.path.join(ART, 'timings.json'), 'w') as f:
        json.dump({'cases_stored': stored, 'pages': TIMINGS}, f, indent=1)


def main():
    try:
        walk()
    except (Failure, WebDriverException) as e:
        print(f'not ok - {e}', flush=True)
        for b in BROWSERS:
            try:
                b.shot('failure')
                print(f'#   {b.user} at {b.driver.current_url}: '
                      f'{b.find("body").text[:800]!r}', flush=True)
            except WebDriverException:
                pass
        return 1
    finally:
        for b in BROWSERS:
            try:
                b.driver.quit()
            except WebDriverException:
                pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
