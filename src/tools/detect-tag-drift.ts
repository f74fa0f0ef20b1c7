/**
 * detect_tag_drift: what happened to the tracked tags between the stored snapshot nearest to
 * `lookback_days` ago (the baseline) and now (a complete snapshot of the last hour that has an
 * older one to compare with, or a scan through the check_tag_compliance pipeline, stored as a
 * snapshot so it becomes a later call's baseline; a scan whose cached inventory is not newer than
 * the baseline reads AWS again).
 * Per resource: tags added, removed, changed (old → new), resources created or deleted; severity by
 * what the change did to compliance under the CURRENT policy. Pure logic lives in src/drift.
 */
import Type, { type Static } from 'typebox';
import { getResourceType } from '../aws/registry.js';
import { UserError } from '../core/errors.js';
import type { DataQuality } from '../core/types.js';
import {
  assessAll,
  chooseBaseline,
  chooseCurrent,
  comparedScope,
  coverage,
  decodeDriftCursor,
  diffResources,
  driftNote,
  encodeDriftCursor,
  inComparedScope,
  keyFilter,
  noBaselineNote,
  readAccounts,
  scoreOf,
  summarizeDrift,
  type BaselineChoice,
  type DriftEntry,
  type DriftScopeRequest,
  type ResourceState,
  type SnapshotMeta,
  when,
} from '../drift/index.js';

import type { SnapshotResourceState, SnapshotScope, SnapshotSummary } from '../store/types.js';
import { pageNote, queryFingerprint, type Page } from './common/pagination.js';
import { runCompliance, type RunComplianceResult } from './common/run-compliance.js';
import { AccountIdsInput, CountsByKey, DataQualitySchema, DEFAULT_LIMIT, LimitInput, NextCursorSchema, RegionsInput, ResourceTypesInput, CursorInput } from './common/schemas.js';
import { resolveScope } from './common/scope.js';
import { buildSnapshot } from './common/snapshot.js';
import { defineTool, type ToolContext } from './types.js';

const DAY_MS = 86_400_000;
/** A stored snapshot at most this old (and complete, covering the scope) is used as "now" unless refresh. */
export const CURRENT_SNAPSHOT_MAX_AGE_MS = 3_600_000;
export const MAX_TAG_KEYS = 50;

const Input = Type.Object(
  {
    resource_types: Type.Optional(ResourceTypesInput),
    tag_keys: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
        minItems: 1,
        maxItems: MAX_TAG_KEYS,
        description:
          'Tag keys to watch, e.g. ["Environment","CostCenter"]. Default: the policy\'s required tags. ["*"] watches every key. ' +
          'Keys match ignoring case when the policy\'s case_sensitivity is false (so a renamed "environment" → "Environment" shows).',
      }),
    ),
    lookback_days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'Compare with the stored snapshot nearest to this many days ago (1–90, default 7).' }),
    ),
    account_ids: Type.Optional(AccountIdsInput),
    regions: Type.Optional(RegionsInput),
    refresh: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Scan AWS now (bypassing the inventory cache) for the current side instead of using a snapshot stored in the last hour. The scan is stored as a snapshot.',
      }),
    ),
    limit: Type.Optional(LimitInput),
    cursor: Type.Optional(CursorInput),
  },
  { additionalProperties: false },
);

const TagKV = Type.Object({ key: Type.String(), value: Type.String() }, { additionalProperties: false });
const TagChange = Type.Object({ key: Type.String(), old_value: Type.String(), new_value: Type.String() }, { additionalProperties: false });
const Severity = Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('info')]);

const ChangeOut = Type.Object(
  {
    change: Type.Union([Type.Literal('tags_changed'), Type.Literal('created'), Type.Literal('deleted')], {
      description: 'tags_changed: watched tags differ; created: the resource exists now but not in the baseline; deleted: the reverse.',
    }),
    resource_arn: Type.String(),
    resource_type: Type.String(),
    account_id: Type.String(),
    region: Type.String(),
    severity: Severity,
    compliance_change: Type.Union(
      [
        Type.Literal('broke'),
        Type.Literal('still_non_compliant'),
        Type.Literal('fixed'),
        Type.Literal('still_compliant'),
        Type.Literal('created_non_compliant'),
        Type.Literal('created_compliant'),
        Type.Literal('deleted_non_compliant'),
        Type.Literal('deleted_compliant'),
      ],
      { description: 'Compliance before → after under the CURRENT policy.' },
    ),
    compliant_before: Type.Union([Type.Boolean(), Type.Null()]),
    compliant_after: Type.Union([Type.Boolean(), Type.Null()]),
    added: Type.Array(TagKV, { description: 'Watched tags present now but not in the baseline (created: all its watched tags).' }),
    removed: Type.Array(TagKV, { description: 'Watched tags in the baseline but gone now (deleted: all its watched tags).' }),
    changed: Type.Array(TagChange),
    broken_tags: Type.Array(Type.String(), { description: 'Required tags that fail now and did not before.' }),
    fixed_tags: Type.Array(Type.String(), { description: 'Required tags that failed before and pass now.' }),
  },
  { additionalProperties: false },
);

const SideOut = Type.Object(
  {
    source: Type.Union([Type.Literal('snapshot'), Type.Literal('scan')], { description: 'scan: read now (and stored as snapshot_id); snapshot: a stored snapshot.' }),
    snapshot_id: Type.String(),
    taken_at: Type.String(),
    data_quality_status: Type.Union([Type.Literal('complete'), Type.Literal('partial')]),
    policy_matches_current: Type.Boolean({ description: 'The snapshot was taken under the policy active now.' }),
  },
  { additionalProperties: false },
);

const Output = Type.Object(
  {
    baseline_found: Type.Boolean(),
    lookback_days: Type.Integer(),
    target_time: Type.String({ description: 'now − lookback_days: the baseline is the stored snapshot nearest to it.' }),
    tag_keys: Type.Array(Type.String(), { description: 'Watched keys (["*"] = every key).' }),
    baseline: Type.Union([Type.Object({ ...SideOut.properties, coverage: Type.Union([Type.Literal('full'), Type.Literal('partial')]) }, { additionalProperties: false }), Type.Null()]),
    current: SideOut,
    compared_scope: Type.Object(
      {
        account_ids: Type.Array(Type.String()),
        regions: Type.Array(Type.String(), { description: 'Regions compared for regional types; global types (S3 …) are compared in every region.' }),
        resource_types: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
    summary: Type.Object(
      {
        resources_compared: Type.Integer({ minimum: 0, description: 'Resources present in both snapshots.' }),
        resources_changed: Type.Integer({ minimum: 0 }),
        resources_created: Type.Integer({ minimum: 0 }),
        resources_deleted: Type.Integer({ minimum: 0 }),
        resources_unreadable_now: Type.Integer({ minimum: 0, description: 'Baseline resources in cells that could not be read now (not counted as deleted).' }),
        tags_added: Type.Integer({ minimum: 0 }),
        tags_removed: Type.Integer({ minimum: 0 }),
        tags_changed: Type.Integer({ minimum: 0 }),
        became_non_compliant: Type.Integer({ minimum: 0 }),
        became_compliant: Type.Integer({ minimum: 0 }),
        created_non_compliant: Type.Integer({ minimum: 0 }),
        by_severity: Type.Object(
          { high: Type.Integer({ minimum: 0 }), medium: Type.Integer({ minimum: 0 }), low: Type.Integer({ minimum: 0 }), info: Type.Integer({ minimum: 0 }) },
          { additionalProperties: false },
        ),
        changes_by_tag: CountsByKey,
        baseline_compliance_score: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'Score of the compared baseline resources under the current policy (null without a baseline).' }),
        current_compliance_score: Type.Number({ minimum: 0, maximum: 1, description: 'Score of the compared current resources (without a baseline: of every current resource).' }),
      },
      { additionalProperties: false },
    ),
    changes: Type.Array(ChangeOut, { description: 'Most severe first (high, medium, low, info), then account, region, type, ARN.' }),
    change_count: Type.Integer({ minimum: 0, description: 'Changes on every page.' }),
    next_cursor: NextCursorSchema,
    data_quality: DataQualitySchema,
    note: Type.String(),
  },
  { additionalProperties: false },
);

export type DetectTagDriftInput = Static<typeof Input>;
export type DetectTagDriftOutput = Static<typeof Output>;
type SideOutT = Static<typeof SideOut>;
type ChangeOutT = Static<typeof ChangeOut>;

interface CurrentSide {
  meta: SnapshotMeta;
  resources: ResourceState[];
  source: 'scan' | 'snapshot';
  run: RunComplianceResult | null;
  read_accounts: string[];
}

const isGlobal = (type: string): boolean => getResourceType(type)?.global === true;

function side(meta: SnapshotMeta, source: SideOutT['source'], policyHash: string): SideOutT {
  return { source, snapshot_id: meta.id, taken_at: meta.taken_at, data_quality_status: meta.data_quality_status, policy_matches_current: meta.scope.policy_hash === policyHash };
}

function toChange(e: DriftEntry): ChangeOutT {
  return {
    change: e.kind,
    resource_arn: e.arn,
    resource_type: e.resource_type,
    account_id: e.account_id,
    region: e.region,
    severity: e.severity,
    compliance_change: e.compliance_change,
    compliant_before: e.compliant_before,
    compliant_after: e.compliant_after,
    added: e.diff.added,
    removed: e.diff.removed,
    changed: e.diff.changed,
    broken_tags: e.broken_tags,
    fixed_tags: e.fixed_tags,
  };
}

/** data_quality of a stored snapshot used as the current side: status only (cell lists are not stored). */
function storedQuality(meta: SnapshotMeta): DataQuality {
  const unread = meta.scope.account_ids.filter((a) => !readAccounts(meta).includes(a));
  return {
    status: meta.data_quality_status,
    cells_requested: 0,
    cells_complete: 0,
    failed: unread.map((a) => ({ account_id: a, region: '*', resource_type: '*', error_code: 'NotRead', message: 'This account could not be read when the snapshot was taken.' })),
    coverage_notes: [
      `The current side is stored snapshot ${meta.id} (${when(meta.taken_at)}): nothing was read from AWS for this answer and cell counts are not kept with snapshots (0 here).` +
        (meta.data_quality_status === 'partial' ? ' That scan was partial: which cells failed is not stored; call again without cursor and with refresh: true for the exact list.' : ''),
    ],
  };
}

/** Snapshots the caller may see (every account of the scope allowed), like get_violation_history. */
function visible(ctx: ToolContext, snaps: SnapshotSummary[]): SnapshotSummary[] {
  const allowed = ctx.principal.allowed_accounts;
  return allowed === null ? snaps : snaps.filter((s) => s.scope.account_ids.every((a) => allowed.includes(a)));
}

async function localAccountId(ctx: ToolContext): Promise<string | null> {
  return (await ctx.accounts.list(ctx.signal)).find((a) => a.is_local)?.account_id ?? null;
}

function snapshotState(list: readonly SnapshotResourceState[]): ResourceState[] {
  return list.map((r) => ({ arn: r.arn, resource_type: r.resource_type, account_id: r.account_id, region: r.region, tags: r.tags }));
}

export const detectTagDrift = defineTool({
  name: 'detect_tag_drift',
  title: 'Detect tag drift',
  description: [
    'Shows how resource tags changed over time: compares the current state with the stored compliance snapshot nearest to lookback_days ago (default 7) and lists, per resource, watched tags added, removed or changed (old and new value), and resources created or deleted in between.',
    'Use it for "who changed our tags this week?", "what broke compliance since Monday?", "did the CostCenter clean-up stick?". Watched keys default to the policy\'s required tags (tag_keys to choose, ["*"] for all).',
    'Each change has a severity judged by the CURRENT policy on the tags before and after: high = it broke compliance (or a resource appeared non-compliant), medium = still non-compliant, low = still compliant (a valid value changed, e.g. CostCenter moved), info = fixed, created compliant, or deleted. summary counts everything (changes_by_tag, became_non_compliant, became_compliant, scores before/after); changes are most severe first, at most `limit` per page, next_cursor for more (later pages compare the same two snapshots).',
    'baseline.taken_at and current.taken_at say exactly which two moments are compared (the baseline can be nearer or farther than asked when no snapshot exists at that time; the note says so). The current side is a complete snapshot stored in the last hour when an older one exists to compare it with, else a scan now (refresh: true forces a fresh AWS read; cached inventory not newer than the baseline is never used); a scan is stored as a snapshot so the next call has a baseline. baseline_found false means no snapshot exists yet: say so and suggest check_tag_compliance with store_snapshot: true (or schedule_compliance_audit), then asking again later.',
    'Only accounts, regions and types both snapshots covered are compared (compared_scope); an account that failed in either is left out, never shown as created or deleted. data_quality describes the current side.',
  ].join('\n'),
  inputSchema: Input,
  outputSchema: Output,
  // Not read-only: when it scans it stores the result as a history snapshot (additive, never destructive).
  annotations: { title: 'Detect tag drift', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  scans: true,
  examples: [
    {},
    { lookback_days: 30, account_ids: ['production', 'staging'] },
    { tag_keys: ['Environment', 'CostCenter'], resource_types: ['ec2:instance', 'rds:db'], account_ids: ['all'], regions: ['us-east-1'], limit: 20 },
    { tag_keys: ['*'], lookback_days: 1, account_ids: ['development'], refresh: true },
  ],
  async handler(ctx, input) {
    const policy = ctx.policy.current();
    const days = input.lookback_days ?? 7;
    const requiredKeys = [...new Set(policy.document.required_tags.map((t) => t.name))].sort();
    const tagKeys = input.tag_keys === undefined ? requiredKeys : input.tag_keys.includes('*') ? ['*'] : [...new Set(input.tag_keys)].sort();
    const track = keyFilter(tagKeys, policy.namingRules.case_sensitivity);
    const scope = await resolveScope(ctx, { resource_types: input.resource_types, account_ids: input.account_ids, regions: input.regions });
    const fingerprint = queryFingerprint('detect_tag_drift', { ...input, refresh: undefined, tag_keys: tagKeys, lookback_days: days });
    const pinned = decodeDriftCursor(input.cursor, fingerprint);

    const now = ctx.now();
    const nowIso = now.toISOString();
    const targetMs = now.getTime() - days * DAY_MS;
    const target = new Date(targetMs).toISOString();
    const notes: string[] = [];

    let accountIds = scope.account_ids;
    if (accountIds === null) {
      const local = await localAccountId(ctx);
      accountIds = local === null ? null : [local];
    }
    // Window: a baseline at most lookback_days farther back than asked, or any newer one.
    const since = new Date(targetMs - days * DAY_MS).toISOString();
    const all = await ctx.history.listSnapshots({ since, until: nowIso });
    const snaps = visible(ctx, all);
    if (snaps.length < all.length) notes.push('Snapshots covering accounts you may not access are not used.');

    const requestFor = (ids: readonly string[]): DriftScopeRequest => ({ account_ids: [...ids], regions: scope.regions, resource_types: scope.resource_types });
    const expired = (): UserError =>
      new UserError('cursor refers to a snapshot that is no longer stored (pruned or outside the window): omit cursor to start over.', { field: '/cursor', code: 'cursor_expired' });
    const fromSnapshot = async (meta: SnapshotSummary): Promise<CurrentSide> => ({
      meta,
      resources: snapshotState(await ctx.history.snapshotResources(meta.id)),
      source: 'snapshot',
      run: null,
      read_accounts: readAccounts(meta),
    });

    // Current side and baseline: both pinned by a cursor; or a recent complete snapshot and the
    // snapshot nearest to the target before it; or a scan now (stored) and the nearest snapshot.
    let current: CurrentSide | null = null;
    let baseline: BaselineChoice<SnapshotSummary> | null = null;
    if (pinned !== null) {
      const cur = snaps.find((s) => s.id === pinned.current_id);
      const base = snaps.find((s) => s.id === pinned.baseline_id);
      if (cur === undefined || base === undefined) throw expired();
      current = await fromSnapshot(cur);
      const c = coverage(base, requestFor(accountIds ?? cur.scope.account_ids));
      baseline = { snapshot: base, coverage: c === 'none' ? 'partial' : c };
    } else if (input.refresh !== true && accountIds !== null) {
      const request = requestFor(accountIds);
      const meta = chooseCurrent(snaps, { notBefore: new Date(now.getTime() - CURRENT_SNAPSHOT_MAX_AGE_MS).toISOString(), notAfter: nowIso, request });
      const base = meta === null ? null : chooseBaseline(snaps, { targetMs, before: meta.taken_at, excludeId: meta.id, request });
      // A recent snapshot with nothing older to compare it with becomes the baseline of a scan now.
      if (meta !== null && base !== null) {
        current = await fromSnapshot(meta);
        baseline = base;
      }
    }
    if (current === null) {
      // Any snapshot up to this instant can be the baseline of a scan made now.
      const justAfterNow = new Date(now.getTime() + 1).toISOString();
      if (accountIds !== null) baseline = chooseBaseline(snaps, { targetMs, before: justAfterNow, request: requestFor(accountIds) });
      let run = await runCompliance(ctx, { scope, force_refresh: input.refresh === true });
      if (input.refresh !== true && baseline !== null && Date.parse(run.inventory.scanned_at) <= Date.parse(baseline.snapshot.taken_at)) {
        // Cached inventory no newer than the baseline would compare a state with itself: read AWS.
        run = await runCompliance(ctx, { scope, force_refresh: true });
        notes.push('The cached inventory was not newer than the baseline snapshot, so AWS was read again for the current side.');
      }
      const snapshot = buildSnapshot(run, now);
      const saved = await ctx.history.saveSnapshot(snapshot);
      const read = run.account_metadata.successful_accounts.filter((a) => saved.scope.account_ids.includes(a)).sort();
      current = { meta: saved, resources: snapshotState(snapshot.resources), source: 'scan', run, read_accounts: read };
      if (accountIds === null) {
        accountIds = [...saved.scope.account_ids];
        baseline = chooseBaseline(snaps, { targetMs, before: justAfterNow, request: requestFor(accountIds) });
      }
    }
    const request = requestFor(accountIds ?? current.meta.scope.account_ids);
    const data_quality: DataQuality = current.run !== null ? current.run.data_quality : storedQuality(current.meta);
    const currentOut = side(current.meta, current.source, policy.hash);
    const emptySummary = summarizeDrift([], { compared: 0, unreadable_now: 0, baseline_score: null, current_score: scoreOf(policy, current.resources) });

    const compared0 = { account_ids: [...request.account_ids].sort(), regions: [...(request.regions ?? current.meta.scope.regions)].sort(), resource_types: [...request.resource_types] };
    if (baseline === null) {
      return {
        baseline_found: false,
        lookback_days: days,
        target_time: target,
        tag_keys: tagKeys,
        baseline: null,
        current: currentOut,
        compared_scope: compared0,
        summary: emptySummary,
        changes: [],
        change_count: 0,
        next_cursor: null,
        data_quality,
        note: [noBaselineNote(since, { id: current.meta.id, taken_at: current.meta.taken_at, policy_hash: current.meta.scope.policy_hash }, current.source === 'scan'), ...notes].join(' '),
      };
    }

    const base = baseline.snapshot;
    const scopeNow: { scope: SnapshotScope; read_accounts: string[] } = { scope: current.meta.scope, read_accounts: current.read_accounts };
    const compared = comparedScope(request, base, scopeNow);
    const keep = inComparedScope(compared, isGlobal);
    const before = snapshotState(await ctx.history.snapshotResources(base.id)).filter(keep);
    const after = current.resources.filter(keep);
    const failedCells = data_quality.failed;
    const readableNow = (r: ResourceState): boolean => {
      const cellRegion = isGlobal(r.resource_type) ? 'global' : r.region;
      return !failedCells.some(
        (f) => f.account_id === r.account_id && (f.resource_type === '*' || f.resource_type === r.resource_type) && (f.region === '*' || f.region === cellRegion),
      );
    };
    const diff = diffResources(before, after, { track, readableNow });
    const entries = assessAll(policy, diff.drifts);
    const summary = summarizeDrift(entries, {
      compared: diff.compared,
      unreadable_now: diff.unreadable_now.length,
      baseline_score: scoreOf(policy, before),
      current_score: scoreOf(policy, after),
    });

    const offset = pinned?.offset ?? 0;
    const limit = input.limit ?? DEFAULT_LIMIT;
    const items = entries.slice(offset, offset + limit);
    const end = offset + items.length;
    const page: Page<DriftEntry> = {
      items,
      offset,
      total: entries.length,
      next_cursor: end < entries.length ? encodeDriftCursor({ offset: end, baseline_id: base.id, current_id: current.meta.id }, fingerprint) : null,
    };

    const parts = driftNote({
      baseline: { id: base.id, taken_at: base.taken_at, policy_hash: base.scope.policy_hash, partial: base.data_quality_status === 'partial', coverage: baseline.coverage },
      current: { id: current.meta.id, taken_at: current.meta.taken_at, policy_hash: current.meta.scope.policy_hash, scanned: current.source === 'scan', partial: data_quality.status === 'partial' },
      policy_hash: policy.hash,
      tag_keys: tagKeys,
      lookback_days: days,
      target,
      now: nowIso,
      summary,
      page_note: pageNote(page, 'changes'),
      change_total: entries.length,
      left_out: compared.left_out,
      types_without_required_tags: scope.resource_types.filter((t) => policy.requiredTagsFor(t).length === 0),
      tagging_deleted_types: [...new Set(entries.filter((e) => e.kind === 'deleted' && getResourceType(e.resource_type)?.lister === 'tagging').map((e) => e.resource_type))].sort(),
    });
    parts.push(...notes);

    return {
      baseline_found: true,
      lookback_days: days,
      target_time: target,
      tag_keys: tagKeys,
      baseline: { ...side(base, 'snapshot', policy.hash), coverage: baseline.coverage },
      current: currentOut,
      compared_scope: { account_ids: compared.account_ids, regions: compared.regions, resource_types: compared.resource_types },
      summary,
      changes: page.items.map(toChange),
      change_count: entries.length,
      next_cursor: page.next_cursor,
      data_quality,
      note: parts.join(' '),
    };
  },
});
