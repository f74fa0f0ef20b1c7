/** Combine the data_quality of several inventory reads into one (pure). */
import type { DataQuality } from '../../core/types.js';

export function mergeDataQuality(parts: readonly DataQuality[], extraNotes: readonly string[] = []): DataQuality {
  const failed = parts.flatMap((p) => p.failed);
  const notes = [...new Set([...parts.flatMap((p) => p.coverage_notes), ...extraNotes])];
  return {
    status: parts.some((p) => p.status === 'partial') || failed.length > 0 ? 'partial' : 'complete',
    cells_requested: parts.reduce((s, p) => s + p.cells_requested, 0),
    cells_complete: parts.reduce((s, p) => s + p.cells_complete, 0),
    failed,
    coverage_notes: notes,
  };
}

/** The oldest of several ISO timestamps (data is as old as its oldest part); `fallback` when none. */
export function oldest(times: readonly string[], fallback: string): string {
  return times.length === 0 ? fallback : [...times].sort()[0] ?? fallback;
}
