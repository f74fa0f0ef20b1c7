/**
 * The plain-language `note` of a drift answer (pure): which two moments were compared, what
 * changed, and everything the numbers cannot see (scope left out, policy change, partial data).
 */
import type { DriftSummary } from './report.js';
import type { ComparedScope } from './select.js';

const DAY_MS = 86_400_000;

/** `2026-11-22 06:48:53 UTC` */
export function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** Human length of [from, to]: days, hours or minutes. */
export function span(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (ms >= DAY_MS) return `${(ms / DAY_MS).toFixed(1)} days`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} hours`;
  return `${Math.max(1, Math.round(ms / 60_000))} minute(s)`;
}

export interface SnapshotFacts {
  id: string;
  taken_at: string;
  policy_hash: string;
}

export function noBaselineNote(since: string, current: SnapshotFacts, scanned: boolean): string {
  const how =
    'Create one by running check_tag_compliance with store_snapshot: true and the same account_ids, resource_types and regions (or schedule_compliance_audit for regular snapshots); ' +
    `detect_tag_drift also stores each scan it makes, so calling it again later compares against ${scanned ? 'the snapshot just stored' : 'a stored snapshot'}.`;
  return (
    `No baseline yet: no stored snapshot covering this scope was taken between ${when(since)} and ${when(current.taken_at)}, so no drift can be computed. ` +
    `${scanned ? `The current state was scanned and stored as snapshot ${current.id} (${when(current.taken_at)}). ` : ''}${how}`
  );
}

export interface DriftNoteFacts {
  baseline: SnapshotFacts & { partial: boolean; coverage: 'full' | 'partial' };
  current: SnapshotFacts & { scanned: boolean; partial: boolean };
  policy_hash: string;
  tag_keys: readonly string[];
  lookback_days: number;
  target: string;
  now: string;
  summary: DriftSummary;
  /** pageNote() of the changes page. */
  page_note: string;
  change_total: number;
  left_out: ComparedScope['left_out'];
  /** Requested types no required tag applies to (never kept in snapshots). */
  types_without_required_tags: readonly string[];
  /** Types listed through the Tagging API among the deleted resources. */
  tagging_deleted_types: readonly string[];
}

export function driftNote(f: DriftNoteFacts): string[] {
  const { summary: s, baseline: base, current: cur } = f;
  const parts: string[] = [];
  parts.push(
    `Compared baseline snapshot ${base.id} (${when(base.taken_at)}) with ${cur.scanned ? `a scan now, stored as snapshot ${cur.id}` : `stored snapshot ${cur.id}`} (${when(cur.taken_at)}), ` +
      `${span(base.taken_at, cur.taken_at)} apart, on ${f.tag_keys.includes('*') ? 'every tag key' : `tags ${f.tag_keys.join(', ')}`}.`,
  );
  if (Math.abs(Date.parse(base.taken_at) - Date.parse(f.target)) > DAY_MS / 2) {
    parts.push(
      `No snapshot exists at ${when(f.target)} (${f.lookback_days} day(s) ago): the nearest one, ${span(base.taken_at, f.now)} old, is used, so this drift covers ${span(base.taken_at, cur.taken_at)}, not ${f.lookback_days} day(s).`,
    );
  }
  parts.push(
    f.change_total === 0
      ? `No watched tag changed on the ${s.resources_compared} resource(s) present in both, and no resource was created or deleted.`
      : `${s.resources_changed} resource(s) changed (${s.tags_added} tag(s) added, ${s.tags_removed} removed, ${s.tags_changed} changed value), ${s.resources_created} created, ${s.resources_deleted} deleted; ` +
          `${s.became_non_compliant} became non-compliant, ${s.became_compliant} became compliant, ${s.created_non_compliant} appeared non-compliant. ${f.page_note}`,
  );
  const lo = f.left_out;
  const unread = lo.accounts_unread.filter((a) => !lo.accounts_not_in_baseline.includes(a));
  const what = [
    lo.accounts_not_in_baseline.length > 0 ? `account(s) ${lo.accounts_not_in_baseline.join(', ')} (not in the baseline's scope)` : '',
    unread.length > 0 ? `account(s) ${unread.join(', ')} (could not be read in the baseline or now)` : '',
    lo.types_not_in_baseline.length > 0 ? `type(s) ${lo.types_not_in_baseline.join(', ')}` : '',
    lo.regions_not_in_baseline.length > 0 ? `region(s) ${lo.regions_not_in_baseline.join(', ')}` : '',
  ].filter((x) => x !== '');
  if (what.length > 0) parts.push(`Not compared (only what both sides covered is): ${what.join('; ')}.`);
  if (base.policy_hash !== f.policy_hash || cur.policy_hash !== f.policy_hash) {
    parts.push(
      'The tagging policy changed since a snapshot was taken: severities use the current policy; snapshots keep only resources of types the policy of their time applied to, so created/deleted counts of types whose applies_to changed reflect the policy change.',
    );
  }
  if (f.types_without_required_tags.length > 0) {
    parts.push(`Type(s) ${f.types_without_required_tags.join(', ')} have no required tag in the policy and are not kept in snapshots, so they show no drift.`);
  }
  if (base.partial) parts.push('The baseline scan was partial: some resources reported as created may have existed but been unreadable then.');
  if (s.resources_unreadable_now > 0) {
    parts.push(`${s.resources_unreadable_now} baseline resource(s) are in cells that could not be read now (see data_quality.failed): their state is unknown and they are not reported as deleted.`);
  }
  if (cur.partial && cur.scanned) parts.push('The current scan is partial: figures are lower bounds.');
  if (f.tagging_deleted_types.length > 0) {
    parts.push(
      `Type(s) ${f.tagging_deleted_types.join(', ')} are listed through the Resource Groups Tagging API, which can stop returning a resource once its last tag is removed: a "deleted" resource of these types may still exist, untagged.`,
    );
  }
  return parts;
}
