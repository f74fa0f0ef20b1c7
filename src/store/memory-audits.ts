/**
 * Audit schedules and runs of the in-memory history store (tests; same semantics as SQLite).
 */
import type { AuditRun, AuditSchedule, AuditScheduleInput, AuditScheduleStore } from './audit-types.js';
import { compareSchedules, completedRun, duplicateName, newScheduleId, normaliseScheduleInput, runLimit } from './audit-support.js';
import { normaliseTime } from './snapshot.js';

export function createMemoryAuditStore(open: () => void): AuditScheduleStore & { pruneRuns(cutoff: string): number } {
  const schedules = new Map<string, AuditScheduleInput & { id: string }>();
  const runs = new Map<string, AuditRun[]>();
  const runsOf = (id: string): AuditRun[] => [...(runs.get(id) ?? [])].sort((a, b) => (a.occurrence < b.occurrence ? 1 : a.occurrence > b.occurrence ? -1 : 0));
  const view = (s: AuditScheduleInput & { id: string }): AuditSchedule => {
    const list = runsOf(s.id);
    return structuredClone({ ...s, last_run: list[0] ?? null, run_count: list.length });
  };

  return {
    async createAuditSchedule(input) {
      open();
      const stored = normaliseScheduleInput(input);
      const clash = [...schedules.values()].find((s) => s.owner === stored.owner && s.name === stored.name);
      if (clash) throw duplicateName(stored.name, clash.id);
      const id = newScheduleId();
      schedules.set(id, { id, ...stored });
      runs.set(id, []);
      return view({ id, ...stored });
    },
    async listAuditSchedules(query = {}) {
      open();
      return [...schedules.values()]
        .filter((s) => query.owner === undefined || s.owner === query.owner)
        .map(view)
        .sort(compareSchedules);
    },
    async getAuditSchedule(id) {
      open();
      const s = schedules.get(id);
      return s === undefined ? null : view(s);
    },
    async deleteAuditSchedule(id) {
      open();
      runs.delete(id);
      return schedules.delete(id);
    },
    async claimAuditOccurrence(scheduleId, occurrence, claimedBy, startedAt) {
      open();
      const list = runs.get(scheduleId);
      const at = normaliseTime(occurrence, 'occurrence');
      if (list === undefined || !schedules.has(scheduleId) || list.some((r) => r.occurrence === at)) return false;
      list.push({
        schedule_id: scheduleId,
        occurrence: at,
        status: 'running',
        claimed_by: claimedBy,
        started_at: normaliseTime(startedAt, 'started_at'),
        finished_at: null,
        compliance_score: null,
        total_resources: null,
        compliant_resources: null,
        violation_count: null,
        data_quality_status: null,
        snapshot_id: null,
        error: null,
        notifications: [],
      });
      return true;
    },
    async recordAuditRun(scheduleId, occurrence, result) {
      open();
      const list = runs.get(scheduleId);
      const at = normaliseTime(occurrence, 'occurrence');
      const i = list?.findIndex((r) => r.occurrence === at) ?? -1;
      const run = list?.[i];
      if (list === undefined || run === undefined) return false;
      list[i] = completedRun(run, result);
      return true;
    },
    async listAuditRuns(scheduleId, limit) {
      open();
      return structuredClone(runsOf(scheduleId).slice(0, runLimit(limit)));
    },
    pruneRuns(cutoff) {
      let removed = 0;
      for (const [id, list] of runs) {
        const kept = list.filter((r) => r.occurrence >= cutoff);
        removed += list.length - kept.length;
        runs.set(id, kept);
      }
      return removed;
    },
  };
}
