/**
 * What a chain is (uplink, join, downlink, …) and what it says is wrong: its drops and failures, and
 * the steps a normal chain of its kind has that this one lacks. Pure; `chain.ts` lays the chain out.
 */
import type { EventSummary } from '../domain/summary.js';
import { stepsOf, type Step } from './steps.js';

/** The start of the finding for an uplink the network server processed and did not forward. */
export const NEVER_FORWARDED = 'Processed by the network server, but never forwarded to the application';

export interface ChainFinding {
  /** `note`: worth knowing, not a fault (counted by no "findings" total). */
  severity: 'error' | 'warning' | 'note';
  text: string;
  eventId?: number;
}

export type ChainKind = 'uplink' | 'join' | 'downlink' | 'gateway-status' | 'registry' | 'other';

/** The kind of message a chain carries, from the names of its events. */
export function kindOf(names: Set<string>): ChainKind {
  const any = (re: RegExp) => [...names].some((n) => re.test(n));
  if (any(/^(ns\.up\.join|js\.join|ns\.down\.join|as\.up\.join)/)) return 'join';
  if (any(/^(gs\.up|ns\.up\.data|as\.up\.data|ns\.up\.)/))
    return names.has('as.down.data.receive') || any(/^as\.down/) ? 'downlink' : 'uplink';
  if (any(/^(as\.down|ns\.down|gs\.down)/)) return 'downlink';
  if (any(/^gs\.status/)) return 'gateway-status';
  if (any(/^(application|end_device|gateway|organization|user|client)\.|end_device\./)) return 'registry';
  return 'other';
}

/** What a normal chain of this kind has that this one does not (yet), and its drops and failures. */
export function findingsOf(kind: ChainKind, events: readonly EventSummary[]): ChainFinding[] {
  const steps = stepsOf(events.map((e) => e.name));
  const has = (...want: Step[]) => want.some((x) => steps.has(x));
  const out: ChainFinding[] = [];
  for (const e of events) {
    if (/\.(drop|fail)$/.test(e.name) || e.name.endsWith('.reject'))
      out.push({
        severity: 'error',
        text: `${e.name}${e.errorName ? `: ${e.errorName}` : ''}${e.preview ? ` (${e.preview})` : ''}`,
        eventId: e.id,
      });
  }
  const dropped = out.length > 0;
  const warn = (text: string) => out.push({ severity: 'warning', text });
  if ((kind === 'uplink' || kind === 'downlink' || kind === 'join') && !dropped) {
    if (has('gs-received') && !has('ns-handled')) {
      // The network server logs an uplink under its device: a gateway's stream never carries that, and no
      // stream sees it for a device of another network (most of what a gateway in a city hears).
      if (events.every((e) => e.entityKind === 'gateway'))
        out.push({
          severity: 'note',
          text:
            "Only the gateway server's events: the network server logs a message under its device, which a gateway's " +
            "stream does not carry. If the capture streams the device's application, the network server did not handle it.",
        });
      else warn('Received by the gateway server, but the network server never handled it (no ns.up.* event seen).');
    } else if (has('ns-received') && !has('ns-processed'))
      warn(
        'The network server received the uplink but never processed it (no ns.up.data.process or, before v3.7, ns.up.merge_metadata seen).',
      );
    else if (
      kind !== 'join' &&
      has('ns-processed') &&
      !has('ns-forwarded', 'as-handled') &&
      events.some((e) => e.direction === 'up' && e.name.startsWith('ns.up.data'))
    ) {
      warn(
        `${NEVER_FORWARDED} (ns.up.data.forward and as.up.data.* not seen; a retransmission of a frame already forwarded ` +
          'is not forwarded again).',
      );
    } else if (
      kind !== 'join' &&
      has('ns-forwarded') &&
      !has('as-handled') &&
      events.some((e) => e.name === 'ns.up.data.forward')
    ) {
      warn('Forwarded by the network server, but the application server never handled it (as.up.data.* not seen).');
    }
  }
  if (kind === 'join') {
    if (has('join-requested') && !has('join-answered'))
      warn(
        'The join request has no answer from the Join Server (js.join.accept or a cluster/interop answer not seen).',
      );
    if (steps.has('join-answered') && events.some((e) => e.name === 'js.join.accept') && !has('join-accept-sent'))
      warn('The join-accept was never sent to a gateway (gs.down.send not seen).');
  }
  if (kind === 'downlink' || kind === 'join') {
    if (has('down-queued') && !has('down-scheduled', 'down-acked'))
      warn('The downlink is queued but was never scheduled (waiting for an uplink, or not seen).');
    if (has('down-scheduled') && !has('down-sent', 'down-acked') && !dropped)
      warn('The downlink was scheduled but never sent by a gateway (gs.down.send not seen).');
    if (has('down-sent') && !has('down-acked'))
      warn('The downlink was sent, but no TX acknowledgment came back from the gateway.');
  }
  return out;
}
