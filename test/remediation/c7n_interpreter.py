"""Cross-check of the generated Custodian filters with Python's own `re` and `jmespath`.

Reads {"policies": [[filter, ...], ...], "samples": [[policy_index, resource], ...]} as JSON on
stdin and prints a JSON list of booleans (does the policy's filter list match the resource).
Implements c7n's ValueFilter semantics for the subset the generator emits (see
custodian-interpreter.ts); also checks that Custodian's policy-variable expansion
(str.format on every string, IndexError/KeyError ignored) leaves the filter strings intact.
"""
import json
import re
import string
import sys

import jmespath


def get_value(key, r):
    if key.startswith('tag:'):
        tk = key.split(':', 1)[1]
        for t in r.get('Tags', []) or []:
            if t.get('Key') == tk:
                return t.get('Value')
        return None
    return jmespath.search(key, r)


def match(f, r):
    if len(f) == 1:
        (k, v), = f.items()
        if k == 'and':
            return all(match(x, r) for x in v)
        if k == 'or':
            return any(match(x, r) for x in v)
        if k == 'not':
            return not all(match(x, r) for x in v)
        value = get_value(k, r)
        if v == 'absent':
            return value is None
        if v == 'present':
            return value is not None
        raise ValueError('unsupported shorthand %r' % f)
    assert f['type'] == 'value', f
    value = get_value(f['key'], r)
    op = f['op']
    if op == 'regex-case':
        return isinstance(value, str) and bool(re.match(f['value'], value))
    if op == 'not-in':
        if value is None:
            value = ()
        return value not in f['value']
    raise ValueError('unsupported op %r' % op)


class VarFormat(string.Formatter):
    pass


def expansion_safe(obj):
    """c7n format_string_values: a string either formats or raises IndexError/KeyError (kept as is)."""
    if isinstance(obj, dict):
        return all(expansion_safe(v) for v in obj.values())
    if isinstance(obj, list):
        return all(expansion_safe(v) for v in obj)
    if isinstance(obj, str):
        try:
            out = VarFormat().format(obj, account_id='123456789012', region='us-east-1')
        except (IndexError, KeyError):
            return True
        return out == obj
    return True


def main():
    data = json.load(sys.stdin)
    policies = data['policies']
    for p in policies:
        for f in p:
            if not expansion_safe(f):
                raise SystemExit('policy variable expansion would alter %r' % f)
    out = [all(match(f, r) for f in policies[i]) for i, r in data['samples']]
    json.dump(out, sys.stdout)


main()
