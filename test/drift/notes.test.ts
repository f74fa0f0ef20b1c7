/** The drift answer's note (pure): moments compared, far-off baselines, what was left out. */
import t from 'tap';
import { driftNote, noBaselineNote, span, summarizeDrift, when, type DriftNoteFacts } from '../../src/drift/index.js';

const facts = (over: Partial<DriftNoteFacts> = {}): DriftNoteFacts => ({
  baseline: { id: '1', taken_at: '2026-11-15T00:00:00.000Z', policy_hash: 'p', partial: false, coverage: 'full' },
  current: { id: '2', taken_at: '2026-11-22T00:00:00.000Z', policy_hash: 'p', scanned: true, partial: false },
  policy_hash: 'p',
  tag_keys: ['Environment', 'Owner'],
  lookback_days: 7,
  target: '2026-11-15T00:00:00.000Z',
  now: '2026-11-22T00:00:00.000Z',
  summary: summarizeDrift([], { compared: 3, unreadable_now: 0, baseline_score: 1, current_score: 1 }),
  page_note: 'No changes.',
  change_total: 0,
  left_out: { accounts_not_in_baseline: [], accounts_unread: [], types_not_in_baseline: [], regions_not_in_baseline: [] },
  types_without_required_tags: [],
  tagging_deleted_types: [],
  ...over,
});

t.test('when and span', async (t) => {
  t.equal(when('2026-11-22T06:48:53.858Z'), '2026-11-22 06:48:53 UTC');
  t.equal(span('2026-11-15T00:00:00.000Z', '2026-11-22T12:00:00.000Z'), '7.5 days');
  t.equal(span('2026-11-22T00:00:00.000Z', '2026-11-22T05:00:00.000Z'), '5.0 hours');
  t.equal(span('2026-11-22T00:00:00.000Z', '2026-11-22T00:00:10.000Z'), '1 minute(s)');
});

t.test('a plain answer names both snapshots and the watched keys, nothing else', async (t) => {
  t.same(driftNote(facts()), [
    'Compared baseline snapshot 1 (2026-11-15 00:00:00 UTC) with a scan now, stored as snapshot 2 (2026-11-22 00:00:00 UTC), 7.0 days apart, on tags Environment, Owner.',
    'No watched tag changed on the 3 resource(s) present in both, and no resource was created or deleted.',
  ]);
});

t.test('far-off baseline, left-out scope, policy change, partial sides, Tagging-API deletions', async (t) => {
  const note = driftNote(
    facts({
      baseline: { id: '1', taken_at: '2026-11-20T00:00:00.000Z', policy_hash: 'old', partial: true, coverage: 'partial' },
      current: { id: '2', taken_at: '2026-11-22T00:00:00.000Z', policy_hash: 'p', scanned: true, partial: true },
      left_out: { accounts_not_in_baseline: ['3'], accounts_unread: ['3', '4'], types_not_in_baseline: ['rds:db'], regions_not_in_baseline: ['eu-west-1'] },
      types_without_required_tags: ['ec2:snapshot'],
      tagging_deleted_types: ['lambda:function'],
      tag_keys: ['*'],
    }),
  ).join(' ');
  t.match(note, /on every tag key/);
  t.match(note, /No snapshot exists at 2026-11-15 00:00:00 UTC \(7 day\(s\) ago\): the nearest one, 2\.0 days old, is used, so this drift covers 2\.0 days, not 7 day\(s\)/);
  t.match(note, /Not compared \(only what both sides covered is\): account\(s\) 3 \(not in the baseline's scope\); account\(s\) 4 \(could not be read in the baseline or now\); type\(s\) rds:db; region\(s\) eu-west-1\./);
  t.match(note, /tagging policy changed/);
  t.match(note, /ec2:snapshot have no required tag/);
  t.match(note, /baseline scan was partial/);
  t.match(note, /current scan is partial/);
  t.match(note, /lambda:function are listed through the Resource Groups Tagging API/);
});

t.test('no baseline: says so, how to create one, and where the scan went', async (t) => {
  const n = noBaselineNote('2026-11-08T00:00:00.000Z', { id: '9', taken_at: '2026-11-22T00:00:00.000Z', policy_hash: 'p' }, true);
  t.match(n, /^No baseline yet: no stored snapshot covering this scope was taken between 2026-11-08 00:00:00 UTC and 2026-11-22 00:00:00 UTC/);
  t.match(n, /stored as snapshot 9/);
  t.match(n, /check_tag_compliance with store_snapshot: true/);
  t.match(n, /schedule_compliance_audit/);
});
