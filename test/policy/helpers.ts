/** Shared test helpers: the policy-semantics vectors and resource records. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ResourceRecord, Tags } from '../../src/core/types.js';

/** /work/shared/vectors (beside the repo) when present, else the committed copy. */
export const SHARED_VECTORS = fileURLToPath(new URL('../../../shared/vectors/policy-semantics.json', import.meta.url));
export const VECTORS_COPY = fileURLToPath(new URL('../fixtures/policy-semantics.json', import.meta.url));

export interface VectorViolation {
  tag_name: string;
  violation_type: string;
  severity: string;
}
export interface VectorCase {
  id: string;
  policy: string;
  type: string;
  tags: Tags;
  expect: { in_scope: boolean; compliant: boolean; violations: VectorViolation[] };
}
export interface Vectors {
  policies: Record<string, Record<string, unknown>>;
  cases: VectorCase[];
  scores: { id: string; in_scope: number; compliant: number; expect_score: number; precision?: number }[];
  invalid_policies: { id: string; patch: Record<string, unknown>; error_mentions: string }[];
}

export function vectorsPath(): string {
  return existsSync(SHARED_VECTORS) ? SHARED_VECTORS : VECTORS_COPY;
}

export function loadVectors(): Vectors {
  return JSON.parse(readFileSync(vectorsPath(), 'utf8')) as Vectors;
}

let seq = 0;
export function resource(partial: Partial<ResourceRecord> & { tags?: Tags } = {}): ResourceRecord {
  seq++;
  const type = partial.type ?? 'ec2:instance';
  const account = partial.account_id ?? '111111111111';
  const region = partial.region ?? 'us-east-1';
  const id = partial.id ?? `r-${seq}`;
  return {
    arn: partial.arn ?? `arn:aws:${type.split(':')[0] ?? 'ec2'}:${region}:${account}:${id}`,
    id,
    name: partial.name ?? null,
    type,
    account_id: account,
    region,
    tags: partial.tags ?? {},
    created_at: partial.created_at ?? null,
    attributes: partial.attributes ?? {},
  };
}
