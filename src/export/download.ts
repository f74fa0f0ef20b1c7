/**
 * The full-file side of an export. A tool answer that can also be delivered as a file carries a
 * `CsvDownload`, attached out of band (a WeakMap keyed by the answer object), so the JSON answer
 * stays exactly what the output schema says while the REST route can stream every row.
 * The download lives only as long as the answer object does.
 */
import type { DataQuality } from '../core/types.js';

export interface CsvDownload {
  /** `tag-violations-YYYY-MM-DD.csv` */
  filename: string;
  /** Data records in the full file (header excluded). */
  total_rows: number;
  data_quality: DataQuality;
  scan_timestamp: string;
  /** Accounts that could not be read (their rows are missing). */
  failed_accounts: string[];
  /** The whole file, lazily, in chunks of whole records (each call starts again). */
  chunks(): Iterable<string>;
}

const downloads = new WeakMap<object, CsvDownload>();

/** Attach the full file to a tool answer; returns the answer. */
export function attachCsvDownload<T extends object>(answer: T, download: CsvDownload): T {
  downloads.set(answer, download);
  return answer;
}

/** The full file behind a tool answer, when it has one. */
export function csvDownloadOf(answer: unknown): CsvDownload | undefined {
  return typeof answer === 'object' && answer !== null ? downloads.get(answer) : undefined;
}
