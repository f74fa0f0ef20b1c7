/**
 * Evidence for tag suggestions (pure): values of a tag found on resources related to a target —
 * the instance a volume is attached to, the same CloudFormation stack, the same name prefix, the
 * account's dominant value. Only values the policy accepts for the target are ever returned.
 */
import type { ResourceRecord } from '../../core/types.js';
import type { CompiledPolicy } from '../../policy/types.js';

export type EvidenceSource = 'attached_instance' | 'cloudformation_stack' | 'name_prefix' | 'account_dominant_value';

export interface Evidence {
  source: EvidenceSource;
  value: string;
  confidence: number;
  /** Resources that carry the value (at most 5 listed). */
  resource_arns: string[];
  /** How many related resources carry this value / how many related resources were looked at. */
  count: number;
  total: number;
  reasoning: string;
}

const STACK_TAG = 'aws:cloudformation:stack-name';
const BASE_CONFIDENCE: Record<EvidenceSource, number> = {
  attached_instance: 0.9,
  cloudformation_stack: 0.85,
  name_prefix: 0.6,
  account_dominant_value: 0.3,
};

/** True when `value` for `tag` gives the target no violation on that tag (no error, no warning). */
export function acceptable(policy: CompiledPolicy, target: ResourceRecord, tag: string, value: string): boolean {
  const ev = policy.evaluate(target.type, { ...target.tags, [tag]: value });
  return !ev.violations.some((v) => v.tag_name === tag);
}

export function namePrefix(name: string | null): string | null {
  if (name === null) return null;
  const m = /^(.+?)[-_.][^-_.]*$/.exec(name);
  const prefix = m?.[1] ?? null;
  return prefix !== null && prefix.length >= 2 ? prefix : null;
}

function nameOf(r: ResourceRecord): string | null {
  return r.name ?? r.tags.Name ?? null;
}

function label(r: ResourceRecord): string {
  const n = nameOf(r);
  return n !== null && n !== r.id ? `${r.id} (${n})` : r.id;
}

/** Group peers by their (acceptable) value of `tag`, most common first. */
function tally(policy: CompiledPolicy, target: ResourceRecord, tag: string, peers: readonly ResourceRecord[]): { value: string; carriers: ResourceRecord[] }[] {
  const by = new Map<string, ResourceRecord[]>();
  for (const p of peers) {
    const v = p.tags[tag];
    if (v === undefined || !acceptable(policy, target, tag, v)) continue;
    const list = by.get(v);
    if (list === undefined) by.set(v, [p]);
    else list.push(p);
  }
  return [...by.entries()].map(([value, carriers]) => ({ value, carriers })).sort((a, b) => b.carriers.length - a.carriers.length || (a.value < b.value ? -1 : 1));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Every piece of evidence for `tag` on `target`, from `pool` (resources of the same account). */
export function gatherEvidence(policy: CompiledPolicy, target: ResourceRecord, tag: string, pool: readonly ResourceRecord[]): Evidence[] {
  const others = pool.filter((r) => r.arn !== target.arn && r.account_id === target.account_id);
  const out: Evidence[] = [];
  const push = (source: EvidenceSource, peers: readonly ResourceRecord[], describe: (value: string, carriers: ResourceRecord[]) => string, minShare = 0, minCount = 1): void => {
    if (peers.length === 0) return;
    for (const { value, carriers } of tally(policy, target, tag, peers)) {
      const share = carriers.length / peers.length;
      if (share < minShare || carriers.length < minCount) continue;
      out.push({
        source,
        value,
        confidence: round2(BASE_CONFIDENCE[source] * share),
        resource_arns: carriers.slice(0, 5).map((c) => c.arn),
        count: carriers.length,
        total: peers.length,
        reasoning: describe(value, carriers),
      });
    }
  };

  const attached = target.attributes.attached_instance_id;
  if (typeof attached === 'string') {
    const instances = others.filter((r) => r.type === 'ec2:instance' && r.id === attached);
    push('attached_instance', instances, (v, c) => `This volume is attached to instance ${c.map(label).join(', ')}, which has ${tag}=${v}.`);
  }
  const stack = target.tags[STACK_TAG];
  if (stack !== undefined) {
    const members = others.filter((r) => r.tags[STACK_TAG] === stack);
    push('cloudformation_stack', members, (v, c) => `${c.length} of ${members.length} other resource(s) in CloudFormation stack '${stack}' have ${tag}=${v} (${c.slice(0, 3).map(label).join(', ')}).`);
  }
  const prefix = namePrefix(nameOf(target));
  if (prefix !== null) {
    const named = others.filter((r) => {
      const n = nameOf(r);
      return n !== null && namePrefix(n) === prefix;
    });
    push('name_prefix', named, (v, c) => `${c.length} of ${named.length} other resource(s) named '${prefix}-…' have ${tag}=${v} (${c.slice(0, 3).map(label).join(', ')}).`);
  }
  const valued = others.filter((r) => r.tags[tag] !== undefined && acceptable(policy, target, tag, r.tags[tag] ?? ''));
  push(
    'account_dominant_value',
    valued,
    (v, c) => `${c.length} of ${valued.length} resource(s) in account ${target.account_id} with a valid ${tag} use '${v}'.`,
    0.5,
    2,
  );
  return out;
}

export interface Suggestion {
  value: string;
  confidence: number;
  reasoning: string;
  evidence: Evidence[];
}

/** Merge evidence per value: independent sources combine as 1 − Π(1 − c), capped at 0.99. */
export function rankSuggestions(evidence: readonly Evidence[]): Suggestion[] {
  const by = new Map<string, Evidence[]>();
  for (const e of evidence) {
    const list = by.get(e.value);
    if (list === undefined) by.set(e.value, [e]);
    else list.push(e);
  }
  return [...by.entries()]
    .map(([value, ev]) => {
      const sorted = [...ev].sort((a, b) => b.confidence - a.confidence);
      const combined = Math.min(0.99, 1 - sorted.reduce((p, e) => p * (1 - e.confidence), 1));
      return { value, confidence: round2(combined), reasoning: sorted.map((e) => e.reasoning).join(' '), evidence: sorted };
    })
    .sort((a, b) => b.confidence - a.confidence || (a.value < b.value ? -1 : 1));
}
