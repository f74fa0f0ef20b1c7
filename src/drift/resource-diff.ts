/**
 * Resource-level drift between two snapshots (pure). Both lists must already be restricted to the
 * compared scope (accounts, regions and types both sides could see): anything outside it would be
 * misreported as created or deleted.
 */
import { diffTags, sameWatchedTags } from './tag-diff.js';
import type { KeyFilter, ResourceDiffResult, ResourceDrift, ResourceState } from './types.js';

export interface DiffResourcesOptions {
  /** Tracked tag keys. */
  track: KeyFilter;
  /** False for a baseline resource whose account × region × type could not be read now: it is
   * not reported as deleted (its state now is unknown). Default: everything was read. */
  readableNow?: (r: ResourceState) => boolean;
}

function byArn(list: readonly ResourceState[]): Map<string, ResourceState> {
  const m = new Map<string, ResourceState>();
  for (const r of list) m.set(r.arn, r);
  return m;
}

function drift(kind: ResourceDrift['kind'], r: ResourceState, before: ResourceState | null, after: ResourceState | null, track: KeyFilter): ResourceDrift {
  return {
    kind,
    arn: r.arn,
    resource_type: r.resource_type,
    account_id: r.account_id,
    region: r.region,
    diff: diffTags(before?.tags ?? {}, after?.tags ?? {}, track),
    before: before === null ? null : { ...before.tags },
    after: after === null ? null : { ...after.tags },
  };
}

/**
 * Resources present on both sides with a difference in tracked keys (`tags_changed`), present
 * only now (`created`) or only in the baseline (`deleted`), in ARN order. A resource present on
 * both sides whose tracked keys are unchanged is not a drift (other keys are ignored).
 */
export function diffResources(baseline: readonly ResourceState[], current: readonly ResourceState[], opts: DiffResourcesOptions): ResourceDiffResult {
  const then = byArn(baseline);
  const now = byArn(current);
  const readable = opts.readableNow ?? (() => true);
  const drifts: ResourceDrift[] = [];
  const unreadable: ResourceState[] = [];
  let compared = 0;
  for (const [arn, before] of then) {
    const after = now.get(arn);
    if (after === undefined) {
      if (readable(before)) drifts.push(drift('deleted', before, before, null, opts.track));
      else unreadable.push(before);
      continue;
    }
    compared += 1;
    if (!sameWatchedTags(before.tags, after.tags, opts.track)) drifts.push(drift('tags_changed', after, before, after, opts.track));
  }
  for (const [arn, after] of now) if (!then.has(arn)) drifts.push(drift('created', after, null, after, opts.track));
  drifts.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return { drifts, compared, unreadable_now: unreadable };
}
