/**
 * Which event names the health computations count, and as what. One uplink crosses several components
 * and each logs it, so a device's frames are counted from one event name per message: the first of
 * `UPLINK_RANK` the capture holds for that device (`ns.up.data.process` on a network-server stream;
 * `as.up.data.forward` on an application stream; the pre-3.7 names on old servers). Joins and downlinks
 * likewise.
 */

/**
 * Names that stand for one uplink transmission of a device, best first. Not `ns.up.merge_metadata`
 * (3.0–3.6): its data is only the number of gateways, and the Network Server logs it for join-requests
 * too (`handleJoinRequest` as well as `handleDataUplink` in v3.6.0), so it counted every join as a frame.
 */
export const UPLINK_RANK = [
  'ns.up.data.process',
  'ns.up.data.forward',
  'as.up.data.forward',
  'as.up.data.receive',
  'ns.up.data.receive',
  'ns.up.receive',
] as const;
/**
 * One join-request of a device, best first. v3.8–3.17 log `ns.up.join.receive` for every gateway's copy, before
 * deduplication, and then `ns.up.join.drop` with error `duplicate` for each extra copy (v3.12.0
 * pkg/networkserver/grpc_gsns.go:1028 and :1076; v3.18 deduplicates first and logs neither): counted from the
 * receptions, the attempts are the receptions less those drops.
 */
export const JOIN_REQUEST_RANK = [
  'ns.up.join.receive',
  'ns.up.join.process',
  'ns.up.join.forward',
  'ns.up.join.cluster.attempt',
] as const;
/** The name logged per gateway's copy on v3.8–3.17, and the drop (error `duplicate`) logged for each extra copy. */
export const JOIN_RECEIVE = JOIN_REQUEST_RANK[0];
export const DUPLICATE_JOIN_DROP = 'ns.up.join.drop';
/** One accepted join, best first. */
export const JOIN_ACCEPT_RANK = [
  'js.join.accept',
  'ns.up.join.accept.forward',
  'as.up.join.forward',
  'as.up.join.receive',
  'ns.down.join.schedule.success',
] as const;
export const DOWN_QUEUED = ['as.down.data.receive', 'as.down.data.forward'] as const;
export const DOWN_SENT = [
  'as.down.data.sent.forward',
  'ns.down.transmission.success',
  'ns.down.data.schedule.success',
] as const;
export const DOWN_ACKED = ['as.down.data.ack.forward'] as const;
export const DOWN_NACKED = ['as.down.data.nack.forward'] as const;
export const DOWN_FAILED = [
  'as.down.data.failed.forward',
  'ns.down.transmission.fail',
  'ns.down.data.schedule.fail',
] as const;

export const UPLINK_NAMES: ReadonlySet<string> = new Set(UPLINK_RANK);
export const JOIN_ACCEPT_NAMES: ReadonlySet<string> = new Set(JOIN_ACCEPT_RANK);
/** Every name a device's health keeps the times of (joins and downlinks), besides uplinks. */
export const RANKED: ReadonlySet<string> = new Set<string>([
  ...UPLINK_RANK,
  ...JOIN_REQUEST_RANK,
  ...JOIN_ACCEPT_RANK,
  ...DOWN_QUEUED,
  ...DOWN_SENT,
  ...DOWN_ACKED,
  ...DOWN_NACKED,
  ...DOWN_FAILED,
]);

/**
 * A gateway's events that show it was there, what its "last seen" reads: its traffic, status messages,
 * connecting and connection statistics. Not registry edits or API keys (someone else acting on it), nor a
 * disconnect, which the Gateway Server logs when the link times out, long after the gateway went quiet.
 * ClickHouse's gateway list reads the same names (`window-gateway-list.ts`).
 */
export const GATEWAY_SEEN_PREFIXES = ['gs.up.', 'gs.down.', 'gs.txack.'] as const;
export const GATEWAY_SEEN_NAMES = ['gs.status.receive', 'gs.gateway.connect', 'gs.gateway.connection.stats'] as const;

export function showsGateway(name: string): boolean {
  return (
    GATEWAY_SEEN_PREFIXES.some((p) => name.startsWith(p)) || (GATEWAY_SEEN_NAMES as readonly string[]).includes(name)
  );
}

/** The first name of `rank` that `has` holds, with its value. */
export function chosen<T>(
  map: ReadonlyMap<string, T>,
  rank: readonly string[],
  has: (v: T) => boolean,
): [string | undefined, T | undefined] {
  for (const n of rank) {
    const v = map.get(n);
    if (v !== undefined && has(v)) return [n, v];
  }
  return [undefined, undefined];
}
