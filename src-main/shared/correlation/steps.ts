/**
 * What each event name says happened to a message, for every release since 3.0 (names from
 * `src-main/shared/tts/event-history.ts`: v3.0–v3.6 name the NS steps `ns.up.receive`,
 * `ns.up.merge_metadata`, `ns.up.data.forward`, `ns.up.join.forward`; later releases add
 * `ns.up.data.receive/process`, the join cluster/interop steps and the `ns.down.*.schedule.*` steps).
 * Chain findings ask about steps, never about one release's names, so an old server's chain is not
 * told that "the network server never handled it".
 */
export type Step =
  | 'gs-received' // a gateway server took the uplink from a gateway
  | 'ns-handled' // the network server did anything with the uplink
  | 'ns-received'
  | 'ns-processed' // deduplicated / merged / processed (or dropped: a decision was made)
  | 'ns-forwarded' // handed to the application server
  | 'as-handled'
  | 'join-requested'
  | 'join-answered' // the join server (or a cluster/interop peer) answered
  | 'join-accept-sent'
  | 'down-queued'
  | 'down-scheduled'
  | 'down-sent'
  | 'down-acked'; // a TX acknowledgment (success or failure) came back

/** Exact names, by step. A name may stand for several steps (`ns.up.data.forward` processed and forwarded). */
const TABLE: readonly (readonly [Step, readonly string[]])[] = [
  ['gs-received', ['gs.up.receive']],
  // No release names a rejoin's receive or process step: v3.0–v3.7 say `ns.up.receive`, then drop it
  // (`ns.up.rejoin.drop`, rejoins are not implemented); from v3.8 the network server emits no event for one.
  ['ns-received', ['ns.up.receive', 'ns.up.data.receive', 'ns.up.join.receive']],
  [
    'ns-processed',
    [
      'ns.up.merge_metadata',
      'ns.up.data.process',
      'ns.up.join.process',
      'ns.up.data.forward',
      'ns.up.join.forward',
      'ns.up.rejoin.forward',
      'ns.up.join.accept.forward',
      'ns.up.data.drop',
      'ns.up.join.drop',
      'ns.up.rejoin.drop',
      'ns.up.receive_duplicate',
    ],
  ],
  ['ns-forwarded', ['ns.up.data.forward', 'ns.up.join.accept.forward']],
  [
    'join-requested',
    [
      'ns.up.join.receive',
      'ns.up.join.process',
      'ns.up.join.forward',
      'ns.up.rejoin.forward',
      'ns.up.join.cluster.attempt',
      'ns.up.join.interop.attempt',
    ],
  ],
  [
    'join-answered',
    [
      'js.join.accept',
      'js.join.reject',
      'ns.up.join.cluster.success',
      'ns.up.join.cluster.fail',
      'ns.up.join.interop.success',
      'ns.up.join.interop.fail',
      'ns.up.join.accept.forward',
      'ns.down.join.schedule.attempt',
      'ns.up.join.drop',
    ],
  ],
  ['join-accept-sent', ['ns.down.join.schedule.success', 'gs.down.send']],
  ['down-queued', ['as.down.data.receive', 'as.down.data.forward']],
  [
    'down-scheduled',
    [
      'ns.down.data.schedule.attempt',
      'ns.down.join.schedule.attempt',
      'gs.down.schedule.attempt',
      'gs.down.send',
      'ns.down.data.schedule.fail',
      'gs.down.schedule.fail',
    ],
  ],
  ['down-sent', ['gs.down.send']],
  [
    'down-acked',
    [
      'gs.down.tx.success',
      'gs.down.tx.fail',
      'gs.txack.receive',
      'gs.txack.forward',
      'ns.down.transmission.success',
      'ns.down.transmission.fail',
      'as.down.data.sent.forward',
      'as.down.data.failed.forward',
    ],
  ],
];

const BY_NAME = new Map<string, Step[]>();
for (const [step, names] of TABLE) for (const n of names) (BY_NAME.get(n) ?? BY_NAME.set(n, []).get(n)!).push(step);

/** Every name the table gives a step by name (the families below aside): each one a release defines. */
export const STEP_NAMES: ReadonlySet<string> = new Set(BY_NAME.keys());

/** The steps one event name stands for. */
export function stepOf(name: string): readonly Step[] {
  const exact = BY_NAME.get(name) ?? [];
  // Families: anything the NS logs about an uplink is handling; anything the AS logs about one too.
  const extra: Step[] = [];
  // A capture often holds none of the ns.up.* events (a Console export of a device, a key without the
  // NS's rights), but a downlink the NS scheduled or an uplink the AS got says the NS handled the uplink.
  if (
    name.startsWith('ns.up.') ||
    name.startsWith('ns.down.') ||
    name.startsWith('ns.mac.') ||
    name.startsWith('as.up.data.') ||
    name.startsWith('as.up.join.')
  )
    extra.push('ns-handled');
  if (name.startsWith('as.up.')) extra.push('as-handled');
  return extra.length ? [...exact, ...extra] : exact;
}

/** The steps a set of event names covers. */
export function stepsOf(names: Iterable<string>): Set<Step> {
  const out = new Set<Step>();
  for (const n of names) for (const s of stepOf(n)) out.add(s);
  return out;
}
