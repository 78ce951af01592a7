/**
 * Workspaces as saved with the app: tabs, their stream requests, and their filters.
 * Captures are not part of this; a restored workspace starts its streams again.
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
