/**
 * Workspaces as saved with the app: tabs, their stream requests, and their filters.
 * Captures are not part of this; a restored workspace starts its streams again, and a workspace opened
 * from a file (`readOnly`) gets its imported capture back from main's data folder.
 */
import type { StreamSpec } from './stream.js';

export type SavedStream = Omit<StreamSpec, 'workspaceId'>;

export interface SavedFilter {
  name: string;
  query: string;
}

export interface SavedWorkspace {
  id: string;
  name: string;
  streams: SavedStream[];
  filter: string;
  savedFilters: SavedFilter[];
  /** Opened from a file: no streams of its own; main reopens its imported capture after a restart. */
  readOnly?: true;
}

export interface ViewSettings {
  utc: boolean;
  newestOnTop: boolean;
}

export interface WorkspacesDoc {
  schemaVersion: 1;
  activeId?: string;
  workspaces: SavedWorkspace[];
  settings: ViewSettings;
}

export const DEFAULT_SETTINGS: ViewSettings = { utc: true, newestOnTop: true };
