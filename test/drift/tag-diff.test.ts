/** Pure tag diffs: examples plus fast-check properties (diff(a, a) is empty; old + diff = new on watched keys). */
import fc from 'fast-check';
import t from 'tap';
import { ALL_KEYS, applyTagDiff, diffTags, isEmptyDiff, keyFilter, pickTags, sameWatchedTags } from '../../src/drift/index.js';

t.test('added, removed and changed values, each sorted by key', async (t) => {
  const d = diffTags({ Owner: 'a', Env: 'prod', Team: 'x', Gone: 'g' }, { Owner: 'b', Env: 'prod', Team: 'x', New: 'n', Also: '1' });
  t.same(d, {
    added: [
      { key: 'Also', value: '1' },
      { key: 'New', value: 'n' },
    ],
    removed: [{ key: 'Gone', value: 'g' }],
    changed: [{ key: 'Owner', old_value: 'a', new_value: 'b' }],
  });
  t.notOk(isEmptyDiff(d));
});

t.test('an empty value is a value: "" → "x" is a change, absent → "" an addition', async (t) => {
  t.same(diffTags({ A: '' }, { A: 'x' }).changed, [{ key: 'A', old_value: '', new_value: 'x' }]);
  t.same(diffTags({}, { A: '' }).added, [{ key: 'A', value: '' }]);
  t.same(diffTags({ A: '' }, {}).removed, [{ key: 'A', value: '' }]);
});

t.test('watched keys: exact when case-sensitive, ignoring case otherwise, * = every key', async (t) => {
  const before = { environment: 'prod', Owner: 'a', Other: '1' };
  const after = { Environment: 'prod', Owner: 'a', Other: '2' };
  t.same(diffTags(before, after, keyFilter(['Environment'], true)), { added: [{ key: 'Environment', value: 'prod' }], removed: [], changed: [] });
  t.same(diffTags(before, after, keyFilter(['Environment'], false)), {
    added: [{ key: 'Environment', value: 'prod' }],
    removed: [{ key: 'environment', value: 'prod' }],
    changed: [],
  }, 'a renamed key is a removal plus an addition of the same watched tag');
  t.same(diffTags(before, after, keyFilter(['*'], true)).changed, [{ key: 'Other', old_value: '1', new_value: '2' }]);
  t.ok(isEmptyDiff(diffTags(before, after, keyFilter(['Owner'], false))), 'only Owner watched: nothing changed');
});

t.test('keys such as __proto__ and constructor are ordinary keys', async (t) => {
  const before = { constructor: 'a' };
  const after = JSON.parse('{"__proto__":"x","constructor":"b"}') as Record<string, string>;
  const d = diffTags(before, after);
  t.same(d.added, [{ key: '__proto__', value: 'x' }]);
  const applied = applyTagDiff(before, d);
  t.same(Object.keys(applied).sort(), ['__proto__', 'constructor']);
  t.equal(Object.getPrototypeOf(applied), Object.prototype, 'the prototype is untouched');
});

const key = fc.oneof(fc.constantFrom('Owner', 'owner', 'Environment', 'CostCenter', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 6 }));
const tags = fc.dictionary(key, fc.string({ maxLength: 5 }), { maxKeys: 8 }).map((d) => JSON.parse(JSON.stringify(d)) as Record<string, string>);
const watch = fc.oneof(
  fc.constant(ALL_KEYS),
  fc.tuple(fc.array(key, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([keys, cs]) => keyFilter(keys, cs)),
);

t.test('property: diff(a, a) is empty', async (t) => {
  fc.assert(fc.property(tags, watch, (a, w) => isEmptyDiff(diffTags(a, a, w))));
  t.pass('held for every generated tag set');
});

t.test('property: applying diff(old, new) to old gives new on the watched keys, and leaves other keys alone', async (t) => {
  fc.assert(
    fc.property(tags, tags, watch, (before, after, w) => {
      const d = diffTags(before, after, w);
      const applied = applyTagDiff(before, d);
      const onWatched = JSON.stringify(Object.entries(pickTags(applied, w)).sort()) === JSON.stringify(Object.entries(pickTags(after, w)).sort());
      const others = Object.entries(before).filter(([k]) => !w(k));
      const othersKept = others.every(([k, v]) => Object.hasOwn(applied, k) && applied[k] === v);
      return onWatched && othersKept;
    }),
  );
  t.pass('held for every generated pair');
});

t.test('property: every reported key is watched, and each key appears in at most one list', async (t) => {
  fc.assert(
    fc.property(tags, tags, watch, (before, after, w) => {
      const d = diffTags(before, after, w);
      const keys = [...d.added, ...d.removed, ...d.changed].map((x) => x.key);
      return keys.every((k) => w(k)) && new Set(keys).size === keys.length;
    }),
  );
  t.pass('held');
});

t.test('property: sameWatchedTags(a, b) is exactly "diffTags(a, b) is empty"', async (t) => {
  fc.assert(fc.property(tags, tags, watch, (a, b, w) => sameWatchedTags(a, b, w) === isEmptyDiff(diffTags(a, b, w))));
  fc.assert(fc.property(tags, watch, (a, w) => sameWatchedTags(a, { ...a }, w)));
  t.pass('held');
});
