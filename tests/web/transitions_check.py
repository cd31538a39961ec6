#!/usr/bin/env python3
"""The page's table of request transitions (server/web/assets/js/
transitions.js) against the node's (server/domain/request_rules.cc): for
every action both list, the same side and the same states, so the page
offers exactly the steps the node accepts. Registered with ctest as
web_transitions.

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


def main():
    src = sys.argv[1]
    rules_cc = open(os.path.join(src, 'server/domain/request_rules.cc'), encoding='utf-8').read()
    page_js = open(os.path.join(src, 'server/web/assets/js/transitions.js'), encoding='utf-8').read()
    node = {}
    for name, side, states in re.findall(
            r'static const Rule k(\w+)\{(k\w+),\s*\{([^}]*)\}\}', rules_cc):
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
    for p in problems:
        print(f'not ok - {p}')
    if problems:
        return 1
    print(f'ok - the page and the node agree on the side and states of {len(node) - len(NODE_ONLY & set(node))} actions')
    return 0


if __name__ == '__main__':
    sys.exit(main())
