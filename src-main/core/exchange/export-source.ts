/**
 * What an export reads, whatever holds the workspace's entries: the capture index (export-service.ts
 * builds this from it), or another reader such as a ClickHouse window (#19), which the same export
 * service writes with the same formats, redaction, progress and cancel.
 */
import type { Pseudonym } from '../../shared/export/redact.js';
import type { ExportRequest } from '../../shared/export/types.js';
import type { Result } from '../../shared/result.js';
import type { ManifestTally } from './export-manifest.js';
import type { LineRun } from './stored-lines.js';

/** The entries one export request takes, read when asked (never all held at once). */
export interface ExportSelection {
  /** Entries written (events, and status entries in a bundle): the progress total. */
  count: number;
  events: number;
  /**
   * Every entry in export order, as stored lines. `transient`: the caller is done with a run's lines once
   * it asks for the next run, so their memory may be read into again (a reader may ignore this).
   */
  lines(transient?: boolean): AsyncIterable<LineRun>;
  /** Events' stored lines from the first on, for the preview (it stops reading when it has enough). */
  samples(): AsyncIterable<string>;
  /** Pseudonyms for the identifiers the selection names, so free text is scrubbed from the first line on. */
  seed(pseudonym: Pseudonym): Promise<void>;
  /** What the bundle's manifest says about the entries. */
  tally(): Promise<ManifestTally>;
  /** What the export reads, as a failed export's message names it (default "the capture"). */
  readsFrom?: string;
  /** Gaps the workspace recorded that a file of events only leaves out (none asked: not said). */
  gapsLeftOut?: number;
}

/** Workspaces whose entries are not in the capture index. */
export interface ExportSource {
  owns(workspaceId: string): boolean;
  select(req: ExportRequest): Promise<Result<ExportSelection>>;
}

/** The same message for every source when nothing is left to export. */
export const NOTHING_MATCHES = 'No event in this workspace matches what you chose to export.';
