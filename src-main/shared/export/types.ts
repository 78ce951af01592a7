/**
 * Exports and imports as the renderer asks for them; main picks the file and does the work.
 */
import type { RedactionOptions } from './redact.js';
import type { StreamInfo } from '../domain/stream.js';
import type { OrderKey } from '../domain/merge.js';

export type ExportFormat = 'json' | 'ndjson' | 'bundle';

/**
 * `after`: only entries after this place in event order, the newest the view held when the user pressed
 * *Clear view*, so the file holds what the list shows (the capture keeps the rest, and exports it when asked).
 */
export type ExportScope =
  | { kind: 'workspace'; after?: OrderKey }
  | { kind: 'filter'; query: string; after?: OrderKey }
  | { kind: 'selection'; ids: number[] }
  | { kind: 'chain'; eventId: number };

export interface ExportRequest {
  workspaceId: string;
  /** For the bundle manifest: the name the user gave the workspace. */
  workspaceName: string;
  scope: ExportScope;
  format: ExportFormat;
  redaction: RedactionOptions;
  /** How the user reads times (recorded in the bundle manifest). */
  displayUtc: boolean;
}

export interface ExportPreview {
  events: number;
  /** How many fields each redaction option changes, over the first events of the scope. */
  affected: Record<keyof RedactionOptions, number>;
  sampled: number;
  /** One event as it is now and as it would be written. */
  before?: string;
  after?: string;
}

/** Progress of a long export or import, pushed while it runs. */
export interface JobProgress {
  jobId: string;
  kind: 'export' | 'import';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total?: number;
  bytes: number;
  totalBytes?: number;
  /** Where the export went, or what was imported. */
  path?: string;
  /** Browser mode: the URL path (on the page's origin) the finished export is fetched from, once. */
  download?: string;
  message?: string;
}

export interface ImportResult {
  streamId: string;
  source: string;
  format: string;
  /** The tab's read-only stream as main lists it (a file's, or a ClickHouse window's). */
  stream: StreamInfo;
  events: number;
  statusEntries: number;
  /** What was skipped and why, by line (the first few). */
  skipped: { line: number; reason: string }[];
  skippedCount: number;
}

/** The first line of a support bundle. */
export const BUNDLE_KEY = 'eventDeskBundle';
