/**
 * Reading a workspaces document entry by entry (#13, failures 7 and 10).
 *
 * One bad workspace must not cost the others: each is checked on its own, fixed where that loses
 * nothing that matters (a name too long is shortened) and left out with a message naming it where
 * not. The result is built from the known fields only, so unknown keys (`__proto__`, `constructor`,
 * anything a future or hostile writer added) never reach the file.
 */
import { isStreamSpec } from '../ipc/validate.js';
import { MAX_QUERY_LENGTH } from '../query/query.js';
import {
  DEFAULT_SETTINGS,
  type SavedFilter,
  type SavedStream,
  type SavedWorkspace,
  type WorkspacesDoc,
} from './workspace.js';

export const MAX_WORKSPACES = 100;
export const MAX_WORKSPACE_NAME = 200;
const MAX_STREAMS = 50;
const MAX_SAVED_FILTERS = 100;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;

export interface ReadWorkspaces {
  doc: WorkspacesDoc;
  /** One sentence per entry that was changed or left out, naming it. */
  problems: string[];
}

/** A clean copy of what can be used of `value`, or undefined when it is not a workspaces document at all. */
export function readWorkspacesDoc(value: unknown): ReadWorkspaces | undefined {
  if (!isObj(value) || value.schemaVersion !== 1 || !Array.isArray(value.workspaces)) return undefined;
  const problems: string[] = [];
  const workspaces: SavedWorkspace[] = [];
  const ids = new Set<string>();
  for (const [i, w] of value.workspaces.entries()) {
    if (workspaces.length === MAX_WORKSPACES) {
      problems.push(
        `Only the first ${MAX_WORKSPACES} workspaces were kept; ${value.workspaces.length - i} more were left out.`,
      );
      break;
    }
    const read = readWorkspace(w, i, problems);
    if (!read) continue;
    if (ids.has(read.id)) {
      problems.push(`${label(w, i)} has the same id as an earlier one and was left out.`);
      continue;
    }
    ids.add(read.id);
    workspaces.push(read);
  }
  const s = isObj(value.settings) ? value.settings : {};
  const doc: WorkspacesDoc = {
    schemaVersion: 1,
    workspaces,
    settings: {
      utc: typeof s.utc === 'boolean' ? s.utc : DEFAULT_SETTINGS.utc,
      newestOnTop: typeof s.newestOnTop === 'boolean' ? s.newestOnTop : DEFAULT_SETTINGS.newestOnTop,
    },
  };
  if (isId(value.activeId) && ids.has(value.activeId)) doc.activeId = value.activeId;
  return { doc, problems };
}

/** How a message names an entry: its name when it has one, else its position. */
function label(w: unknown, i: number): string {
  const name = isObj(w) && typeof w.name === 'string' && w.name.trim() ? w.name.trim() : '';
  return name ? `Workspace "${name.length > 40 ? `${name.slice(0, 40)}…` : name}"` : `Workspace ${i + 1}`;
}

function readWorkspace(w: unknown, i: number, problems: string[]): SavedWorkspace | undefined {
  const what = label(w, i);
  if (!isObj(w)) {
    problems.push(`${what} is not an object and was left out.`);
    return undefined;
  }
  if (!isId(w.id)) {
    problems.push(`${what} has no valid id and was left out.`);
    return undefined;
  }
  let name = typeof w.name === 'string' ? w.name : '';
  if (name.length > MAX_WORKSPACE_NAME) {
    name = name.slice(0, MAX_WORKSPACE_NAME);
    problems.push(`${what}: its name was longer than ${MAX_WORKSPACE_NAME} characters and was shortened.`);
  }
  let filter = typeof w.filter === 'string' ? w.filter : '';
  if (filter.length > MAX_QUERY_LENGTH) {
    // A cut query means something else: better no filter than a wrong one.
    filter = '';
    problems.push(`${what}: its filter was longer than ${MAX_QUERY_LENGTH} characters and was cleared.`);
  }
  const streams: SavedStream[] = [];
  for (const s of Array.isArray(w.streams) ? w.streams : []) {
    if (streams.length === MAX_STREAMS || !isObj(s) || !isStreamSpec({ ...s, workspaceId: w.id })) {
      problems.push(`${what}: a saved stream could not be read and was left out.`);
      continue;
    }
    const spec: SavedStream = {
      profileId: s.profileId as string,
      entities: (s.entities as SavedStream['entities']).map((e) => ({
        kind: e.kind,
        id: e.id,
        ...(e.application !== undefined ? { application: e.application } : {}),
      })),
      names: [...(s.names as string[])],
    };
    if (s.tail !== undefined) spec.tail = s.tail as number;
    if (s.after !== undefined) spec.after = s.after as string;
    streams.push(spec);
  }
  const savedFilters: SavedFilter[] = [];
  for (const f of Array.isArray(w.savedFilters) ? w.savedFilters : []) {
    if (
      savedFilters.length === MAX_SAVED_FILTERS ||
      !isObj(f) ||
      typeof f.name !== 'string' ||
      typeof f.query !== 'string' ||
      f.query.length > MAX_QUERY_LENGTH
    ) {
      problems.push(`${what}: a saved filter could not be read and was left out.`);
      continue;
    }
    savedFilters.push({ name: f.name.slice(0, MAX_WORKSPACE_NAME), query: f.query });
  }
  return { id: w.id, name, streams, filter, savedFilters, ...(w.readOnly === true ? { readOnly: true as const } : {}) };
}
