/**
 * Audit-schedule part of the HistoryStore contract (called by historyStoreContract, so memory,
 * SQLite and PostgreSQL all pass the same cases). Not a test file by itself.
 */
import type { Test } from 'tap';
import type { AuditRunResult, AuditScheduleInput, AuditScheduleStore, HistoryStore } from '../../src/store/types.js';
import type { BackendHarness } from './contract.js';

export function scheduleInput(extra: Partial<AuditScheduleInput> = {}): AuditScheduleInput {
  return {
    name: 'weekly production audit',
    owner: 'key-a',
    owner_allowed_accounts: ['111111111111'],
    frequency: 'weekly',
    time_of_day: '09:30',
    timezone: 'Europe/Paris',
    day_of_week: 'monday',
    day_of_month: null,
    account_ids: ['production'],
    resource_types: ['ec2:instance'],
    recipients: ['https://hooks.example.com/services/T1/B2/secret'],
    notification_format: 'slack',
    created_at: '2026-11-20T10:00:00Z',
    ...extra,
  };
}

export function runResult(extra: Partial<AuditRunResult> = {}): AuditRunResult {
  return {
    status: 'succeeded',
    finished_at: '2026-11-23T08:31:00Z',
    compliance_score: 0.75,
    total_resources: 8,
    compliant_resources: 6,
    violation_count: 3,
    data_quality_status: 'complete',
    snapshot_id: '42',
    error: null,
    notifications: [{ recipient: 'https://hooks.example.com/…cret', ok: true, status: 200, error: null }],
    ...extra,
  };
}

function audits(store: HistoryStore): AuditScheduleStore {
  if (store.audits === undefined) throw new Error(`${store.backend} store has no audit schedules`);
  return store.audits;
}

export function auditScheduleContract(t: Test, name: string, harness: BackendHarness): void {
  t.test(`${name}: audit schedules are created, listed in creation order, read and deleted`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = audits(store);
    const first = await a.createAuditSchedule(scheduleInput());
    t.match(first.id, /^aud_[0-9a-f]{20}$/);
    t.equal(first.created_at, '2026-11-20T10:00:00.000Z', 'timestamp normalised');
    t.equal(first.last_run, null);
    t.equal(first.run_count, 0);
    t.same(first.recipients, ['https://hooks.example.com/services/T1/B2/secret']);
    t.same(first.owner_allowed_accounts, ['111111111111']);
    const second = await a.createAuditSchedule(scheduleInput({ name: 'daily', frequency: 'daily', day_of_week: 'friday', created_at: '2026-11-19T00:00:00Z', owner: 'key-b', owner_allowed_accounts: null, account_ids: null, resource_types: null, recipients: [] }));
    t.equal(second.day_of_week, null, 'day_of_week dropped for a daily schedule');
    const monthly = await a.createAuditSchedule(scheduleInput({ name: 'monthly', frequency: 'monthly', day_of_week: null, day_of_month: 31, created_at: '2026-11-21T00:00:00Z', notification_format: 'json' }));
    t.equal(monthly.day_of_month, 31);
    t.same((await a.listAuditSchedules()).map((s) => s.id), [second.id, first.id, monthly.id], 'created_at ascending');
    t.same((await a.listAuditSchedules({ owner: 'key-a' })).map((s) => s.id), [first.id, monthly.id], 'owner filter');
    t.same(await a.listAuditSchedules({ owner: 'nobody' }), []);
    t.same(await a.getAuditSchedule(first.id), first, 'get equals what create returned');
    t.same(await a.getAuditSchedule(second.id), second);
    t.equal(await a.getAuditSchedule('aud_nope'), null);
    t.equal(await a.deleteAuditSchedule(first.id), true);
    t.equal(await a.deleteAuditSchedule(first.id), false, 'second delete finds nothing');
    t.equal(await a.getAuditSchedule(first.id), null);
    t.same((await a.listAuditSchedules()).map((s) => s.id), [second.id, monthly.id]);
  });

  t.test(`${name}: a name is unique per owner (409), other owners may reuse it`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = audits(store);
    const mine = await a.createAuditSchedule(scheduleInput());
    await t.rejects(a.createAuditSchedule(scheduleInput()), { name: 'UserError', statusCode: 409, code: 'conflict', message: new RegExp(mine.id) });
    const theirs = await a.createAuditSchedule(scheduleInput({ owner: 'key-b' }));
    t.not(theirs.id, mine.id);
    t.equal((await a.listAuditSchedules()).length, 2, 'the refused one was not stored');
    await t.rejects(a.createAuditSchedule(scheduleInput({ name: 'x', time_of_day: '25:00' })), TypeError);
    await t.rejects(a.createAuditSchedule(scheduleInput({ name: 'y', frequency: 'monthly', day_of_month: null })), TypeError);
  });

  t.test(`${name}: an occurrence is claimed once; the run is recorded and shows as last_run`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = audits(store);
    const s = await a.createAuditSchedule(scheduleInput());
    const occ = '2026-11-23T08:30:00Z';
    const claims = await Promise.all([a.claimAuditOccurrence(s.id, occ, 'replica-1', '2026-11-23T08:30:01Z'), a.claimAuditOccurrence(s.id, '2026-11-23T08:30:00.000Z', 'replica-2', '2026-11-23T08:30:02Z')]);
    t.same(claims.filter(Boolean).length, 1, 'exactly one of two concurrent claims wins');
    t.equal(await a.claimAuditOccurrence(s.id, occ, 'replica-3', '2026-11-23T09:00:00Z'), false, 'later claims lose too');
    t.equal(await a.claimAuditOccurrence('aud_unknown', occ, 'replica-1', occ), false, 'no claim for an unknown schedule');
    const running = await a.getAuditSchedule(s.id);
    t.equal(running?.last_run?.status, 'running');
    t.equal(running?.last_run?.finished_at, null);
    t.equal(running?.run_count, 1);
    t.equal(await a.recordAuditRun(s.id, occ, runResult()), true);
    const done = await a.getAuditSchedule(s.id);
    t.same(done?.last_run, {
      schedule_id: s.id,
      occurrence: '2026-11-23T08:30:00.000Z',
      status: 'succeeded',
      claimed_by: claims[0] === true ? 'replica-1' : 'replica-2',
      started_at: claims[0] === true ? '2026-11-23T08:30:01.000Z' : '2026-11-23T08:30:02.000Z',
      finished_at: '2026-11-23T08:31:00.000Z',
      compliance_score: 0.75,
      total_resources: 8,
      compliant_resources: 6,
      violation_count: 3,
      data_quality_status: 'complete',
      snapshot_id: '42',
      error: null,
      notifications: [{ recipient: 'https://hooks.example.com/…cret', ok: true, status: 200, error: null }],
    });
    t.equal(await a.recordAuditRun(s.id, '2026-01-01T00:00:00Z', runResult()), false, 'an unclaimed occurrence cannot be recorded');
    t.ok(await a.claimAuditOccurrence(s.id, '2026-11-30T08:30:00Z', 'replica-1', '2026-11-30T08:30:00Z'));
    await a.recordAuditRun(s.id, '2026-11-30T08:30:00Z', runResult({ status: 'failed', error: 'AccessDenied', compliance_score: null, total_resources: null, compliant_resources: null, violation_count: null, data_quality_status: null, snapshot_id: null, notifications: [] }));
    const runs = await a.listAuditRuns(s.id);
    t.same(runs.map((r) => [r.occurrence, r.status]), [['2026-11-30T08:30:00.000Z', 'failed'], ['2026-11-23T08:30:00.000Z', 'succeeded']], 'newest first');
    t.same((await a.listAuditRuns(s.id, 1)).map((r) => r.status), ['failed']);
    t.equal((await a.getAuditSchedule(s.id))?.last_run?.error, 'AccessDenied');
    t.equal((await a.getAuditSchedule(s.id))?.run_count, 2);
  });

  t.test(`${name}: deleting a schedule removes its runs; a deleted schedule cannot be claimed or recorded`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = audits(store);
    const s = await a.createAuditSchedule(scheduleInput());
    const occ = '2026-11-23T08:30:00.000Z';
    t.ok(await a.claimAuditOccurrence(s.id, occ, 'r1', occ));
    t.ok(await a.deleteAuditSchedule(s.id));
    t.same(await a.listAuditRuns(s.id), []);
    t.equal(await a.recordAuditRun(s.id, occ, runResult()), false, 'the run finishing after the delete is dropped');
    t.equal(await a.claimAuditOccurrence(s.id, '2026-11-30T08:30:00Z', 'r1', occ), false);
  });

  t.test(`${name}: prune removes runs older than the cutoff, never schedules`, async (t) => {
    const store = await harness.open();
    t.teardown(() => store.close());
    const a = audits(store);
    const s = await a.createAuditSchedule(scheduleInput({ created_at: '2026-01-01T00:00:00Z' }));
    await a.claimAuditOccurrence(s.id, '2026-02-02T08:30:00Z', 'r1', '2026-02-02T08:30:00Z');
    await a.claimAuditOccurrence(s.id, '2026-11-23T08:30:00Z', 'r1', '2026-11-23T08:30:00Z');
    await store.prune('2026-10-01T00:00:00Z');
    t.same((await a.listAuditRuns(s.id)).map((r) => r.occurrence), ['2026-11-23T08:30:00.000Z']);
    t.ok(await a.getAuditSchedule(s.id), 'the schedule stays');
  });

  if (harness.reopen) {
    const reopen = harness.reopen;
    t.test(`${name}: schedules and runs survive close and reopen`, async (t) => {
      const store = await harness.open();
      const s = await audits(store).createAuditSchedule(scheduleInput());
      await audits(store).claimAuditOccurrence(s.id, '2026-11-23T08:30:00Z', 'r1', '2026-11-23T08:30:00Z');
      await store.close();
      const again = await reopen();
      t.teardown(() => again.close());
      const back = await audits(again).getAuditSchedule(s.id);
      t.equal(back?.name, s.name);
      t.equal(back?.run_count, 1);
      t.equal(await audits(again).claimAuditOccurrence(s.id, '2026-11-23T08:30:00Z', 'r2', '2026-11-23T08:31:00Z'), false, 'the claim survived too');
    });
  }
}
