/**
 * What makes the built-in stack's flows look like a real server's: the time each step takes, and the
 * event names of older releases.
 */
import type { Random } from '../../shared/ids.js';
import { EVENT_HISTORY } from '../../shared/tts/event-history.js';
import { firstRelease } from '../../shared/tts/catalog.js';
import type { FlowKind } from './scenario.js';

/**
 * When each step of a flow happens, in ms after the radio frame reached the first gateway. From the
 * stack's own timings: the NS waits out its deduplication window (~200 ms) before processing; a class A
 * downlink goes out in RX1, 1 s after the uplink (5 s after a join-request), and its TX acknowledgment
 * comes back tens of ms after the transmission; an application downlink waits in the queue for the
 * device's next uplink.
 */
const UPLINK_STEPS: Record<string, number> = {
  'gs.up.receive': 0,
  'ns.up.data.receive': 9,
  'ns.up.join.receive': 9,
  'gs.up.forward': 11,
  'ns.up.join.cluster.attempt': 14,
  'js.join.accept': 27,
  'ns.up.join.cluster.success': 31,
  'ns.mac.link_adr.answer.reject': 203,
  'ns.up.data.process': 205,
  'ns.up.join.process': 205,
  'ns.mac.link_adr.request': 207,
  'ns.up.data.forward': 208,
  'as.up.data.receive': 211,
  'as.up.data.forward': 219,
  'ns.up.data.drop': 204,
  'as.up.data.decode.fail': 215,
  // The AS posts the uplink to a webhook after forwarding it; the endpoint answers 503 a few tens of ms later.
  'as.webhook.fail': 262,
  'gs.up.drop': 3,
};

/** Downlink steps after the uplink that opened the receive window (`rx1` is when it is transmitted). */
function downlinkStep(name: string, rx1: number): number | undefined {
  switch (name) {
    case 'ns.down.data.schedule.attempt':
    case 'ns.down.join.schedule.attempt':
      return 212;
    case 'gs.down.schedule.attempt':
      return 214;
    case 'gs.down.send':
      return 216;
    case 'ns.down.data.schedule.success':
    case 'ns.down.join.schedule.success':
      return 218;
    case 'ns.up.join.accept.forward':
      return 222;
    case 'as.up.join.receive':
      return 225;
    case 'as.up.join.forward':
      return 229;
    case 'gs.txack.receive':
    case 'gs.down.tx.success':
      return rx1 + 48;
    case 'gs.txack.forward':
      return rx1 + 50;
    case 'ns.down.transmission.success':
      return rx1 + 53;
    case 'as.down.data.sent.forward':
      return rx1 + 58;
    default:
      return undefined;
  }
}

/** An application downlink: pushed at 0, waits for the device's next uplink at `nextUplink`. */
const QUEUE_WAIT_MS = 1_300;

export function stepOffsetMs(kind: FlowKind, name: string, index: number, random: Random): number {
  const jitter = () => random() * 3;
  switch (kind) {
    case 'join':
      return (downlinkStep(name, 5_000) ?? UPLINK_STEPS[name] ?? index * 5) + jitter();
    case 'uplink':
    case 'packet-broker-uplink':
    case 'mac':
    case 'errors':
    case 'confirmed-uplink':
      return (UPLINK_STEPS[name] ?? downlinkStep(name, 1_000) ?? index * 5) + jitter();
    case 'downlink': {
      if (name === 'as.down.data.receive') return 0;
      if (name === 'as.down.data.forward') return 4 + jitter();
      const step = downlinkStep(name, 1_000);
      return (step === undefined ? index * 5 : QUEUE_WAIT_MS + step) + jitter();
    }
    case 'gateway-connect':
    case 'gateway-status':
    case 'gateway-disconnect':
      return index * 12 + jitter();
    case 'registry':
      // People click: a few hundred ms between registry operations.
      return index * 350 + random() * 200;
  }
}

/** Names an older release used for a step that exists under another name today. */
const RENAMED: Record<string, { before: string; name: string }> = {
  'ns.up.data.receive': { before: '3.7', name: 'ns.up.receive' },
  'ns.up.join.receive': { before: '3.7', name: 'ns.up.receive' },
  'ns.up.data.process': { before: '3.7', name: 'ns.up.merge_metadata' },
  'ns.up.join.process': { before: '3.7', name: 'ns.up.join.forward' },
};

const minor = (v: string) => {
  const [a, b] = v.split('.').map(Number);
  return (a ?? 0) * 1000 + (b ?? 0);
};

/**
 * The names a release defines, as its events API matches a `names` filter against them (config/messages.json
 * of that release, EVENT_HISTORY): a regex or name only a later release defines is refused with a 400.
 */
export function namesDefinedIn(release: string, names: readonly string[]): string[] {
  const v = minor(release);
  const last = new Map(EVENT_HISTORY.map(([n, , end]) => [n, end]));
  const defined = (n: string) => {
    const first = firstRelease(n);
    const end = last.get(n);
    return (first === undefined || minor(first) <= v) && (end === undefined || end === null || minor(end) >= v);
  };
  // Today's names that release had, and the ones it had that were removed since (e.g. 3.5's `ns.up.receive`).
  const current = new Set(names);
  const removed = EVENT_HISTORY.filter(([n, , end]) => end !== null && !current.has(n) && defined(n)).map(([n]) => n);
  return [...names.filter(defined), ...removed];
}

/** The name `release` used for an event named `name` today, or undefined when that release had no such event. */
export function releaseName(name: string, release: string): string | undefined {
  const r = RENAMED[name];
  if (r && minor(release) < minor(r.before)) return r.name;
  const first = firstRelease(name);
  if (first !== undefined && minor(first) > minor(release)) return undefined;
  return name;
}

/**
 * An event's JSON as an older release wrote it where its data differed: `ns.up.merge_metadata` (3.0–3.6)
 * held only the number of gateways whose metadata were merged (`len(up.RxMetadata)` in v3.6.0), not the uplink.
 */
export function releaseJson(name: string, json: string, gateways: number): string {
  if (name !== 'ns.up.merge_metadata') return json;
  const event = JSON.parse(json) as { data?: unknown };
  event.data = { '@type': 'type.googleapis.com/google.protobuf.Value', value: gateways };
  return JSON.stringify(event);
}
