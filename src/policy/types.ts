/**
 * Tagging policy: the file format (exactly the existing deployments' format, plus optional
 * `prohibited_tags`) and the compiled form the evaluator uses.
 */
import type { ResourceEvaluation, ResourceRecord, Tags } from '../core/types.js';

export interface RequiredTagSpec {
  name: string;
  description?: string;
  allowed_values?: string[] | null;
  /** Matched against the WHOLE value. */
  validation_regex?: string | null;
  /** Empty or absent: every supported type. */
  applies_to?: string[];
}

export interface OptionalTagSpec {
  name: string;
  description?: string;
  allowed_values?: string[] | null;
}

export interface TagNamingRules {
  case_sensitivity: boolean;
  allow_special_characters: boolean;
  max_key_length: number;
  max_value_length: number;
}

export interface TaggingPolicyDocument {
  version: string;
  /** Informational (existing deployments carry it); not used by evaluation. */
  last_updated?: string;
  required_tags: RequiredTagSpec[];
  optional_tags?: OptionalTagSpec[];
  tag_naming_rules?: Partial<TagNamingRules>;
  /** Keys that must not exist on any resource (e.g. `temp`). */
  prohibited_tags?: string[];
}

/** A validated policy ready for evaluation. Immutable. */
export interface CompiledPolicy {
  readonly document: TaggingPolicyDocument;
  /** sha256 of the canonical document (cache keys, history scope). */
  readonly hash: string;
  readonly version: string;
  /** Types at least one required tag applies to (the default scan scope). */
  readonly applicableTypes: readonly string[];
  /** Required tag names that apply to a type (empty: out of scope). */
  requiredTagsFor(resourceType: string): readonly string[];
  /** Naming rules with defaults filled in (case_sensitivity false, no special characters, 128, 256). */
  readonly namingRules: Readonly<TagNamingRules>;
  /** Non-fatal remarks found while loading (unknown fields ignored, empty lists treated as absent). */
  readonly warnings: readonly string[];
  /** Pure evaluation of one resource's tags. The result (and its `violations` array) is shared
   * and frozen when there is nothing to report: treat it as read-only. */
  evaluate(resourceType: string, tags: Tags): ResourceEvaluation;
}

/** Holds the active policy; reload keeps the old one when the new file is invalid. */
export interface PolicyStore {
  current(): CompiledPolicy;
  /** Re-read the file (or use `document`); throws PolicyError and keeps the active policy on failure. */
  reload(document?: TaggingPolicyDocument): Promise<CompiledPolicy>;
  readonly path: string;
}

export type { ResourceRecord };
