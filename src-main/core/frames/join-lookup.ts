/**
 * The join a data frame's session came from: the device's newest join-accept before the frame and the
 * join-request it answered, looked up where the frame is (main's capture index, or a ClickHouse window,
 * #19). With them and the device's root key the FrameService derives the session keys (#18), as a join
 * server did.
 */
import { messageFacts } from '../../shared/domain/message.js';
import type { PageRequest, PageResult } from '../../shared/ipc/contract.js';
import type { Result } from '../../shared/result.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import type { CaptureIndex } from '../capture/capture-index.js';

/** Where entries are looked up by query before a given one: the capture index or a window's rows. */
export interface JoinSource {
  /** The workspace and time of an entry (undefined: not one of this source's). */
  at(id: number): { workspaceId: string; ms: number } | undefined;
  page(req: PageRequest): Result<PageResult> | Promise<Result<PageResult>>;
  event(id: number): Promise<Result<TtsEvent>>;
}

/** The capture index as a join source. */
export function captureJoins(index: CaptureIndex): JoinSource {
  return {
    at: (id) => {
      const owner = index.ownerOf(id);
      const at = index.get(id);
      return owner && at && { workspaceId: owner.workspaceId, ms: at.ms };
    },
    page: (req) => index.page(req),
    event: (id) => index.event(id),
  };
}

export interface JoinFrames {
  request: Buffer;
  accept: Buffer;
  /** Event time of the join-accept, to say which join the keys came from. */
  time: string;
}

const quote = (v: string) => (/[\s()"]/.test(v) ? `"${v.replace(/"/g, '')}"` : v);

export function joinLookup(
  sourceOf: (eventId: number) => JoinSource,
): (eventId: number, device: { applicationId: string; deviceId: string }) => Promise<JoinFrames | undefined> {
  return async (eventId, device) => {
    const source = sourceOf(eventId);
    const at = source.at(eventId);
    if (!at) return undefined;
    // Uses the header bits the index keeps (mtype:), so the lookup reads only the device's join events.
    const query = `app:${quote(device.applicationId)} device:${quote(device.deviceId)} (mtype:join_request OR mtype:join_accept)`;
    const page = await source.page({
      workspaceId: at.workspaceId,
      query,
      before: { ms: at.ms, id: eventId },
      limit: 200,
    });
    if (!page.ok) return undefined;
    let accept: { phy: Buffer; time: string } | undefined;
    for (const entry of [...page.value.entries].reverse()) {
      const ev = await source.event(entry.id);
      if (!ev.ok) continue;
      const facts = messageFacts(ev.value);
      if (!facts?.rawPayload) continue;
      const phy = Buffer.from(facts.rawPayload, 'base64');
      const mtype = phy[0]! >> 5;
      if (!accept && mtype === 1) accept = { phy, time: ev.value.time };
      else if (mtype === 0) {
        // An application's stream carries no device event with the join-accept's frame (the network
        // server's downlink events do not reach application subscribers); the gateway that sent it did, in
        // an event that names no device but carries the join-request's uplink correlation ID.
        accept ??= await acceptOnGateway(source, at.workspaceId, eventId, at.ms, ev.value.correlation_ids);
        if (accept) return { request: phy, accept: accept.phy, time: accept.time };
      }
    }
    return undefined;
  };
}

/** The join-accept frame a gateway sent for a join-request, found by the request's uplink correlation IDs. */
async function acceptOnGateway(
  source: JoinSource,
  workspaceId: string,
  beforeId: number,
  beforeMs: number,
  correlationIds: readonly string[] | undefined,
): Promise<{ phy: Buffer; time: string } | undefined> {
  const uplinks = (correlationIds ?? []).filter((c) => /^gs:uplink:[0-9A-Za-z]+$/.test(c));
  if (uplinks.length === 0) return undefined;
  const query = `mtype:join_accept (${uplinks.map((c) => `corr:${c}`).join(' OR ')})`;
  const page = await source.page({ workspaceId, query, before: { ms: beforeMs, id: beforeId }, limit: 20 });
  if (!page.ok) return undefined;
  for (const entry of page.value.entries) {
    const ev = await source.event(entry.id);
    const raw = ev.ok ? messageFacts(ev.value)?.rawPayload : undefined;
    const phy = raw ? Buffer.from(raw, 'base64') : undefined;
    if (ev.ok && phy && phy.length > 0 && phy[0]! >> 5 === 1) return { phy, time: ev.value.time };
  }
  return undefined;
}

/**
 * The join-request a join-accept answers: the device's newest join-request before it in the capture (a
 * LoRaWAN 1.1 join-accept's MIC covers its JoinEUI and DevNonce, #18). Rejoin-requests are not followed.
 */
export function joinRequestLookup(
  sourceOf: (eventId: number) => JoinSource,
): (eventId: number, device: { applicationId: string; deviceId: string }) => Promise<Buffer | undefined> {
  return async (eventId, device) => {
    const source = sourceOf(eventId);
    const at = source.at(eventId);
    if (!at) return undefined;
    const query = `app:${quote(device.applicationId)} device:${quote(device.deviceId)} mtype:join_request`;
    const page = await source.page({
      workspaceId: at.workspaceId,
      query,
      before: { ms: at.ms, id: eventId },
      limit: 20,
    });
    if (!page.ok) return undefined;
    for (const entry of [...page.value.entries].reverse()) {
      const ev = await source.event(entry.id);
      const raw = ev.ok ? messageFacts(ev.value)?.rawPayload : undefined;
      const phy = raw ? Buffer.from(raw, 'base64') : undefined;
      if (phy && phy.length === 23 && phy[0]! >> 5 === 0) return phy;
    }
    return undefined;
  };
}
