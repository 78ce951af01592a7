import { toIdentifiers, type EntityRef, type StreamEventsRequest } from '../tts/types.js';
import type { AppError } from '../result.js';

/** What the user asks to stream: one request against one server profile. */
export interface StreamSpec {
  workspaceId: string;
  profileId: string;
  entities: EntityRef[];
  /** Exact names or `/regex/`; empty = everything the key can see. */
  names: string[];
  tail?: number;
  after?: string;
}

/**
 * A stream connection's lifecycle as a discriminated union (house style G).
 *
 * `retrying` carries when the next attempt happens so the UI can count down.
 */
export type StreamState =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number }
  | { kind: 'retrying'; attempt: number; retryAt: number; lastError: AppError }
  | { kind: 'stopped'; reason: string; error?: AppError };

/** A profile's name and server as a stream last knew them: what names the stream once the profile is deleted. */
export interface KnownProfile {
  name: string;
  baseUrl: string;
}

/**
 * What a stream's capture keeps in its catalog: its spec and, once its profile was deleted, that profile's
 * name and server, so the stream is still labelled by them after a restart (the profile store forgot them).
 */
export type StreamMeta = StreamSpec & { profile?: KnownProfile };

/** The events API request a stream spec asks for. */
export function requestOf(spec: StreamSpec): StreamEventsRequest {
  return {
    identifiers: spec.entities.map(toIdentifiers),
    ...(spec.names.length ? { names: spec.names } : {}),
    ...(spec.tail ? { tail: spec.tail } : {}),
    ...(spec.after ? { after: spec.after } : {}),
  };
}

/** Pushed to the renderer whenever a stream changes state. */
export interface StreamStateChange {
  streamId: string;
  workspaceId: string;
  profileId: string;
  state: StreamState;
  /** Set once the stream's profile was deleted. */
  profile?: KnownProfile;
}

/** What the renderer knows of a running stream. */
export interface StreamInfo {
  streamId: string;
  spec: StreamSpec;
  state: StreamState;
  /** For an imported capture: the file it came from (read-only, no server). */
  source?: string;
  /** A window on a team's recording in ClickHouse (`source` names it): its rows name their own server. */
  recording?: true;
  /** Set once the stream's profile was deleted: its last name and server still label the stream and its rows. */
  profile?: KnownProfile;
}

/** One state for a stream served by several component URLs: a stop or retry matters more than "open". */
export function combineStates(states: readonly StreamState[]): StreamState {
  const rank = { stopped: 4, retrying: 3, connecting: 2, idle: 1, open: 0 } as const;
  let best = states[0] ?? ({ kind: 'idle' } as StreamState);
  for (const s of states) if (rank[s.kind] > rank[best.kind]) best = s;
  return best;
}
