/**
 * Main's frame decoding over the capture index (#18): the FrameService (keys in the keychain, the
 * Frame tab), the devices' frame counters saved with the captures, and the cache that answers `mic:` and
 * `mac:` in the index's queries.
 */
import type { CaptureIndex } from '../capture/capture-index.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { FCntHistory } from './fcnt-history.js';
import { FrameFactsCache } from './frame-facts.js';
import { FrameService } from './frame-service.js';
import { captureJoins, joinLookup, joinRequestLookup, type JoinSource } from './join-lookup.js';

export async function openFrames(
  index: CaptureIndex,
  secrets: SecretStore,
  log?: (m: string) => void,
  /** Frames that are not the index's (a ClickHouse window's rows): where their joins are looked up. */
  other?: () => (JoinSource & { owns(id: number): boolean }) | undefined,
): Promise<{ service: FrameService; facts: FrameFactsCache }> {
  const counters = new FCntHistory(index.dir, log);
  await counters.load();
  const capture = captureJoins(index);
  const sourceOf = (id: number): JoinSource => {
    const o = other?.();
    return o?.owns(id) ? o : capture;
  };
  const service = new FrameService(secrets, (id) => index.event(id), joinLookup(sourceOf), {
    findJoinRequest: joinRequestLookup(sourceOf),
    counters,
  });
  const facts = new FrameFactsCache(service, index);
  return { service, facts };
}
