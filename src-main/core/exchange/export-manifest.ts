/**
 * The object path of an export: what is read from the index's summaries rather than from stored
 * lines — pseudonyms for the identifiers the index knows, the support bundle's manifest, and status
 * entries as exported. Each is one scan of the selection's rows (no stored line is read here).
 */
import { createHmac } from 'node:crypto';
import type { EventSummary } from '../../shared/domain/summary.js';
import type { Profile } from '../../shared/domain/profile.js';
import type { StreamInfo } from '../../shared/domain/stream.js';
import {
  gatewayIdentity,
  keepsIdentity,
  scrubStrings,
  type IdKind,
  type Pseudonym,
} from '../../shared/export/redact.js';
import type { ExportRequest } from '../../shared/export/types.js';
import { redactSecrets } from '../../shared/redact.js';
import type { CaptureIndex } from '../capture/capture-index.js';

/** Pseudonyms keyed by a secret made per export: stable within one file, unlinkable across files. */
export function makePseudonymizer(secret: Buffer): { pseudonym: Pseudonym; originals: Map<string, string> } {
  const originals = new Map<string, string>();
  // An HMAC per field of every event would dominate a large export: remember each one.
  const memo = new Map<string, string>();
  const pseudonym: Pseudonym = (kind: IdKind, value: string) => {
    // Asked for one anyway (seeding from the index names every gateway): not an original to scrub.
    if (keepsIdentity(kind, value)) return value;
    const key = `${kind}\0${value.toLowerCase()}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const h = createHmac('sha256', secret).update(key).digest('hex');
    const out =
      kind === 'eui'
        ? h.slice(0, 16).toUpperCase()
        : kind === 'dev_addr'
          ? h.slice(0, 8).toUpperCase()
          : `${kind === 'application' ? 'app' : kind}-${h.slice(0, 10)}`;
    originals.set(value, out);
    memo.set(key, out);
    return out;
  };
  return { pseudonym, originals };
}

/**
 * Pseudonyms for the identifiers the index already knows, so free text is scrubbed from the first line
 * on. Each distinct value is asked once (a million rows name a few thousand identifiers), in the order
 * the rows first name it, as before.
 */
export function seedPseudonyms(
  index: CaptureIndex,
  workspaceId: string,
  want: (s: EventSummary) => boolean,
  pseudonym: Pseudonym,
): void {
  const seen: Record<IdKind, Set<string>> = {
    device: new Set(),
    gateway: new Set(),
    application: new Set(),
    eui: new Set(),
    dev_addr: new Set(),
  } as Record<IdKind, Set<string>>;
  const ask = (kind: IdKind, value: string | undefined) => {
    if (!value) return;
    const set = seen[kind];
    if (set.has(value)) return;
    set.add(value);
    pseudonym(kind, value);
  };
  for (const segment of index.segmentsOf(workspaceId)) {
    // Rows of one "who" tuple (entity, application, DevEUI, DevAddr) name the same identifiers: each
    // tuple is read once per segment, not once per row.
    const whoSeen = new Uint8Array(segment.whoCount);
    const view = segment.view();
    for (let row = 0; row < segment.rows; row++) {
      view.row = row;
      if (!want(view)) continue;
      const who = segment.whoLocal(row);
      if (!whoSeen[who]) {
        whoSeen[who] = 1;
        const kind = view.entityKind;
        if (kind === 'device' || kind === 'gateway' || kind === 'application') ask(kind, view.entity);
        ask('application', view.application);
        ask('eui', view.devEui);
        ask('dev_addr', view.devAddr);
      }
      const gateways = view.gatewayIds;
      if (gateways)
        for (const g of gateways) {
          const id = gatewayIdentity(g);
          ask(id.kind, id.value);
        }
    }
  }
}

export interface ManifestDeps {
  index: CaptureIndex;
  streamsOf: (workspaceId: string) => StreamInfo[];
  profile: (id: string) => Profile | undefined;
  version: string;
  clock?: () => number;
}

/** Keeps the newest of many candidates by time text, reading the text only of rows tied on ms. */
class Latest {
  ms = -Infinity;
  #ids: number[] = [];
  #time: string | undefined;
  constructor(
    private readonly index: CaptureIndex,
    private readonly newer: (a: string, b: string) => boolean,
  ) {}
  offer(ms: number, id: number, better: (a: number, b: number) => boolean): void {
    if (this.#ids.length === 0 && this.#time === undefined) {
      this.ms = ms;
      this.#ids.push(id);
    } else if (better(ms, this.ms)) {
      this.ms = ms;
      this.#ids = [id];
      this.#time = undefined;
    } else if (ms === this.ms) {
      this.#ids.push(id);
      if (this.#ids.length > 1000) this.#settle();
    }
  }
  #settle(): void {
    for (const id of this.#ids) {
      const t = this.index.get(id)?.time;
      if (t !== undefined && (this.#time === undefined || this.newer(t, this.#time))) this.#time = t;
    }
    this.#ids = [];
  }
  get time(): string | undefined {
    this.#settle();
    return this.#time;
  }
}

/** What the bundle's manifest says about the entries it holds. */
export interface ManifestTally {
  /** Event time of the first and last event, as the server wrote it. */
  from?: string;
  to?: string;
  events: number;
  status: number;
  gaps: { time: string; message: string }[];
  reconnects: { time: string; message: string }[];
}

export const emptyTally = (): ManifestTally => ({ events: 0, status: 0, gaps: [], reconnects: [] });

/** Counts a status entry (its list row) into the tally. */
export function tallyStatus(t: ManifestTally, s: EventSummary): void {
  t.status++;
  if (s.name === 'event-desk.gap') t.gaps.push({ time: s.time, message: s.preview });
  if (s.name === 'event-desk.reconnect') t.reconnects.push({ time: s.time, message: s.preview });
}

/** The tally of a capture's selection: one scan of its rows. */
export function captureTally(
  index: CaptureIndex,
  workspaceId: string,
  want: (s: EventSummary) => boolean,
): ManifestTally {
  // Compared by ms first: building the time text of every row would dominate a large manifest.
  const first = new Latest(index, (a, b) => a < b);
  const last = new Latest(index, (a, b) => a > b);
  const t = emptyTally();
  index.scan(
    workspaceId,
    (s) => {
      if (s.kind === 'event') {
        t.events++;
        first.offer(s.ms, s.id, (a, b) => a < b);
        last.offer(s.ms, s.id, (a, b) => a > b);
      } else tallyStatus(t, s);
    },
    want,
  );
  const from = first.time;
  const to = last.time;
  return { ...t, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** The bundle's first line for a capture's selection. */
export function manifest(
  deps: ManifestDeps,
  req: ExportRequest,
  want: (s: EventSummary) => boolean,
  pseudonym: Pseudonym,
): Record<string, unknown> {
  return manifestOf(deps, req, pseudonym, captureTally(deps.index, req.workspaceId, want));
}

/** The bundle's first line: who made it, what it holds, which streams and servers, what was redacted. */
export function manifestOf(
  deps: Omit<ManifestDeps, 'index'>,
  req: ExportRequest,
  pseudonym: Pseudonym,
  tally: ManifestTally,
): Record<string, unknown> {
  // A stream restarted with the same request (e.g. after its key was fixed) is one stream to the reader.
  const streams = uniqueRequests(deps.streamsOf(req.workspaceId)).map((info) => ({ info }));
  const { from, to, events, status, gaps, reconnects } = tally;
  const ids = (kind: string, id: string) =>
    req.redaction.pseudonymize ? pseudonym(kind === 'application' ? 'application' : (kind as IdKind), id) : id;
  // Pseudonyms hide who the customer is: server names and URLs name them as plainly as device IDs.
  const hide = req.redaction.pseudonymize;
  const servers = new Map<string, { name: string }>();
  for (const { info } of streams) {
    const p = deps.profile(info.spec.profileId);
    if (!p || servers.has(p.id)) continue;
    servers.set(
      p.id,
      hide
        ? { name: `server ${servers.size + 1}` }
        : ({
            name: p.name,
            baseUrl: p.isDemo ? 'built-in demo stack' : p.baseUrl,
            ...(p.components ? { components: p.components } : {}),
          } as { name: string }),
    );
  }
  const serverName = (info: StreamInfo) =>
    servers.get(info.spec.profileId)?.name ?? (hide ? 'file' : (info.source ?? info.spec.profileId));
  return {
    app: { name: 'Event Desk', version: deps.version },
    createdAt: new Date(deps.clock?.() ?? Date.now()).toISOString(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    displayedTimesIn: req.displayUtc ? 'UTC' : 'local time',
    workspace: hide ? '[redacted]' : req.workspaceName,
    scope:
      req.scope.kind === 'filter'
        ? {
            kind: 'filter',
            query: req.redaction.pseudonymize ? '[filter omitted: it may name redacted identifiers]' : req.scope.query,
          }
        : { kind: req.scope.kind },
    // The file starts at *Clear view*: say so, or a reader takes it for the whole capture.
    ...('after' in req.scope && req.scope.after ? { since: new Date(req.scope.after.ms).toISOString() } : {}),
    servers: [...servers.values()],
    streams: streams.map(({ info }) => ({
      server: serverName(info),
      entities: info.spec.entities.map((e) => ({
        kind: e.kind,
        id: ids(e.kind, e.id),
        ...(e.application ? { application: ids('application', e.application) } : {}),
      })),
      names: info.spec.names,
      ...(info.spec.tail ? { tail: info.spec.tail } : {}),
      ...(info.spec.after ? { after: info.spec.after } : {}),
      state: info.state.kind,
    })),
    captureWindow: { from: from ?? null, to: to ?? null },
    counts: { events, statusEntries: status, gaps: gaps.length, reconnects: reconnects.length },
    gaps,
    reconnects,
    redaction: {
      ...req.redaction,
      ...(req.redaction.pseudonymize
        ? { note: 'Identifiers are replaced by pseudonyms that are stable within this bundle only.' }
        : {}),
    },
  };
}

/**
 * A status entry as exported: the app's own words, but they quote servers (errors), so secrets are
 * scrubbed, even from captures written before they were scrubbed at the source; with pseudonyms, the
 * identifiers they name are replaced too.
 */
export function statusLine(raw: string, req: ExportRequest, originals: Map<string, string>): string {
  return redactSecrets(req.redaction.pseudonymize ? JSON.stringify(scrubStrings(JSON.parse(raw), originals)) : raw);
}

/** The last stream of each distinct request (profile, entities, names, tail, after), in first-seen order. */
function uniqueRequests(list: StreamInfo[]): StreamInfo[] {
  const byKey = new Map<string, StreamInfo>();
  for (const s of list) {
    const { workspaceId: _w, ...request } = s.spec;
    byKey.set(JSON.stringify([s.source ?? '', request]), s);
  }
  return [...byKey.values()];
}
