#!/usr/bin/env python3
"""The page's table of request transitions (server/web/assets/js/
transitions.js) against the node's (server/domain/request_rules.cc): for
every action both list, the same side and the same states, so the page
offers exactly the steps the node accepts. The same for the plan changes
the page offers (js/plan_actions.js against server/domain/plan_rules.cc).
Registered with ctest as web_transitions.

  transitions_check.py SOURCE_DIR
"""
import os
import re
import sys

# The node's constants → the page's names.
SIDES = {'kRequester': 'REQ', 'kRecipient': 'REC'}
STATES = {'kSent': 'SENT', 'kAwaiting': 'AWAITING', 'kAccepted': 'ACCEPTED',
          'kAnswered': 'ANSWERED', 'kClosed': 'CLOSED', 'kSuspended': 'SUSPENDED'}
# Steps the node records itself, and the send (its draft state is checked
# outside the table): not offered as the table says.
NODE_ONLY = {'receive', 'handoffFailed', 'send'}


def camel(name):
    return name[0].lower() + name[1:]


# The plan rules' constants → the page's names.
PLAN_WHO = {'kLead': 'lead', 'kInvitedParticipant': 'invited', 'kLead | kAgreedParticipant': 'member',
            'kLead | kElaCoordinator': 'measurer'}


def plan_problems(src):
    rules_cc = open(os.path.join(src, 'server/domain/plan_rules.cc'), encoding='utf-8').read()
    page_js = open(os.path.join(src, 'server/web/assets/js/plan_actions.js'), encoding='utf-8').read()
    rules = {}
    for name, who, states in re.findall(
            r'static const PlanRule (k\w+)\{\s*([\w |]+?),\s*\{([^}]*)\}', rules_cc):
        rules[name] = (PLAN_WHO.get(who.strip(), who.strip()), sorted(
            'PLAN_STATE_' + re.sub(r'(?<!^)([A-Z])', r'_\1', s.strip()[1:]).upper()
            for s in states.split(',') if s.strip()))
    node = {}
    cases = []
    for case, rule in re.findall(r'case PlanEvent::k(\w+):|return &(k\w+);', rules_cc):
        if case:
            cases.append(camel(case))
        elif rule:
            for c in cases:
                node[c] = rules[rule]
            cases = []
    # Named lists of states ("const LEAD_CHANGE = [...]") the page's rows use.
    lists = {name: sorted(x.strip().strip("'") for x in body.split(',') if x.strip())
             for name, body in re.findall(r"const (\w+) = \[([^\]]*)\];", page_js)}
    page = {}
    for action, who, states in re.findall(
            r"\['(\w+)', '(\w+)', (\[[^\]]*\]|[A-Z_]+)\]", page_js):
        if states.startswith('['):
            page[action] = (who, sorted(x.strip().strip("'") for x in states[1:-1].split(',') if x.strip()))
        else:
            page[action] = (who, lists.get(states, [f'unknown list {states}']))
    problems = []
    if len(node) < 10 or len(page) < 5:
        problems.append(f'read {len(node)} plan rules and {len(page)} page rules: have the tables moved?')
    for action, rule in sorted(page.items()):
        if node.get(action) != rule:
            problems.append(f'plan {action}: node {node.get(action)}, page {rule}')
    # Every change the node accepts has its form on the page (the plan's
    # creation has its own page and no row in the node's table).
    for action in sorted(set(node) - set(page)):
        problems.append(f'the page offers no plan {action} (node: {node[action]})')
    return problems, len(page)


def main():
    src = sys.argv[1]
    rules_cc = open(os.path.join(src, 'server/domain/request_rules.cc'), encoding='utf-8').read()
    page_js = open(os.path.join(src, 'server/web/assets/js/transitions.js'), encoding='utf-8').read()
    node = {}
    for name, side, states in re.findall(
            r'static const RequestRule k(\w+)\{(k\w+),\s*\{([^}]*)\}\}', rules_cc):
        node[camel(name)] = (SIDES[side], sorted(STATES[s.strip()] for s in states.split(',') if s.strip()))
    page = {}
    for action, side, states in re.findall(r"\['(\w+)', (REQ|REC), \[([^\]]*)\]", page_js):
        page.setdefault(action, []).append((side, sorted(s.strip() for s in states.split(',') if s.strip())))
    problems = []
    if len(node) < 10:
        problems.append(f'read only {len(node)} rules from request_rules.cc: has the table moved?')
    for action, rule in sorted(node.items()):
        if action in NODE_ONLY:
            continue
        if action not in page:
            problems.append(f'the page offers no {action} (node: {rule})')
        elif page[action] != [rule]:
            problems.append(f'{action}: node {rule}, page {page[action]}')
    more, plan_actions = plan_problems(src)
    problems += more
    for p in problems:
        print(f'not ok - {p}')
    if problems:
        return 1
    print(f'ok - the page and the node agree on the side and states of {len(node) - len(NODE_ONLY & set(node))} '
          f'request actions and {plan_actions} plan changes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
