/**
 * The join a data frame's session came from, looked up in main's capture index: the device's newest
 * join-accept before the frame and the join-request it answered. With them and the device's root key
 * the FrameService derives the session keys (#18), as a join server did.
 */
import { messageFacts } from '../../shared/domain/message.js';
import type { CaptureIndex } from '../capture/capture-index.js';

export interface JoinFrames {
  request: Buffer;
  accept: Buffer;
  /** Event time of the join-accept, to say which join the keys came from. */
  time: string;
}

const quote = (v: string) => (/[\s()"]/.test(v) ? `"${v.replace(/"/g, '')}"` : v);

export function joinLookup(
  index: CaptureIndex,
): (eventId: number, device: { applicationId: string; deviceId: string }) => Promise<JoinFrames | undefined> {
  return async (eventId, device) => {
    const owner = index.ownerOf(eventId);
    const at = index.get(eventId);
    if (!owner || !at) return undefined;
    // Uses the header bits the index keeps (mtype:), so the lookup reads only the device's join events.
    const query = `app:${quote(device.applicationId)} device:${quote(device.deviceId)} (mtype:join_request OR mtype:join_accept)`;
    const page = index.page({ workspaceId: owner.workspaceId, query, before: { ms: at.ms, id: at.id }, limit: 200 });
    if (!page.ok) return undefined;
    let accept: { phy: Buffer; time: string } | undefined;
    for (const entry of [...page.value.entries].reverse()) {
      const ev = await index.event(entry.id);
      if (!ev.ok) continue;
      const facts = messageFacts(ev.value);
      if (!facts?.rawPayload) continue;
      const phy = Buffer.from(facts.rawPayload, 'base64');
      const mtype = phy[0]! >> 5;
      if (!accept && mtype === 1) accept = { phy, time: ev.value.time };
      else if (accept && mtype === 0) return { request: phy, accept: accept.phy, time: accept.time };
    }
    return undefined;
  };
}

/**
 * The join-request a join-accept answers: the device's newest join-request before it in the capture (a
 * LoRaWAN 1.1 join-accept's MIC covers its JoinEUI and DevNonce, #18). Rejoin-requests are not followed.
 */
export function joinRequestLookup(
  index: CaptureIndex,
): (eventId: number, device: { applicationId: string; deviceId: string }) => Promise<Buffer | undefined> {
  return async (eventId, device) => {
    const owner = index.ownerOf(eventId);
    const at = index.get(eventId);
    if (!owner || !at) return undefined;
    const query = `app:${quote(device.applicationId)} device:${quote(device.deviceId)} mtype:join_request`;
    const page = index.page({ workspaceId: owner.workspaceId, query, before: { ms: at.ms, id: at.id }, limit: 20 });
    if (!page.ok) return undefined;
    for (const entry of [...page.value.entries].reverse()) {
      const ev = await index.event(entry.id);
      const raw = ev.ok ? messageFacts(ev.value)?.rawPayload : undefined;
      const phy = raw ? Buffer.from(raw, 'base64') : undefined;
      if (phy && phy.length === 23 && phy[0]! >> 5 === 0) return phy;
    }
    return undefined;
  };
}
