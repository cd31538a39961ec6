#!/usr/bin/env python3
"""The page's message files: every language has every message, none
empty, with the same {placeholders} as English; every literal key the
scripts ask for (t('...')) exists. Registered with ctest as web_i18n.

  i18n_check.py ASSETS_DIR
"""
import json
import os
import re
import sys

LANGUAGES = ['en', 'fr', 'de', 'pl']


def main():
    assets = sys.argv[1]
    files = {code: json.load(open(os.path.join(assets, 'i18n', f'{code}.json'), encoding='utf-8'))
             for code in LANGUAGES}
    problems = []
    english = files['en']
    for code, messages in files.items():
        missing = sorted(set(english) - set(messages))
        extra = sorted(set(messages) - set(english))
        if missing:
            problems.append(f'{code}.json lacks {missing}')
        if extra:
            problems.append(f'{code}.json has keys English lacks: {extra}')
        for key, text in messages.items():
            if not isinstance(text, str) or not text.strip():
                problems.append(f'{code}.json: {key} is empty')
            elif key in english and set(re.findall(r'\{\w+\}', text)) != set(
                    re.findall(r'\{\w+\}', english[key])):
                problems.append(f'{code}.json: {key} has other placeholders than English')
    used = set()
    for root, _, names in os.walk(assets):
        for name in names:
            if name.endswith('.js'):
                text = open(os.path.join(root, name), encoding='utf-8').read()
                used.update(re.findall(r"\bt\('([A-Za-z0-9_.]+)'", text))
    for key in sorted(used - set(english)):
        problems.append(f'the scripts ask for {key}, which en.json lacks')
    for p in problems:
        print(f'not ok - {p}')
    if problems:
        return 1
    print(f'ok - {len(english)} messages in {", ".join(LANGUAGES)}; '
          f'the {len(used)} literal keys the scripts use all exist')
    return 0


if __name__ == '__main__':
    sys.exit(main())
