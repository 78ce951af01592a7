/**
 * The gateways' receptions of one flow's frame: each gateway's rx_metadata entry (its signal, or Packet
 * Broker's relay) and the gs:uplink ID it gave the frame. Draws from the scenario's random source in a
 * fixed order, so a seed gives the same fleet.
 */
import { ulid, type Random } from '../../shared/ids.js';
import { render } from './templates.js';
import { omitZeros } from './variants.js';
import { packetBrokerRx } from './packet-broker.js';

export interface Gateway {
  gatewayId: string;
  eui: string;
  packetBroker?: boolean;
}

export interface Reception {
  g: Gateway;
  uplinkId: string;
  /** The entry alone, and as the one-entry rx_metadata of the gateway's own events. */
  rx: string;
  rxg: string;
  /** How much later than the first this gateway heard it. */
  jitterMs: number;
}

/** RSSI and SNR of one reception that move together as in a real radio (SNR follows RSSI above the noise floor). */
function signal(pathLossDb: number, gatewayIndex: number, random: Random): { rssi: number; snr: number } {
  const rssi = Math.round(-40 - pathLossDb - gatewayIndex * 6 - random() * 8);
  // LoRa demodulates below the noise floor (about -117 dBm at 125 kHz plus local noise): SNR ≈ RSSI + 108,
  // saturating around +10 dB for strong signals and bottoming out near -20 dB.
  const snr = Math.max(-20, Math.min(10 + random() * 2, rssi + 108 + (random() - 0.5) * 3));
  return { rssi, snr: Math.round(snr * 4) / 4 };
}

/** The receptions of a device's frame by `gws` (the first hears it first), at `now`; `ta` is the entry's time. */
export function receptions(
  rxEntry: string | undefined,
  pathLossDb: number,
  gws: Gateway[],
  now: number,
  ta: string,
  clock: () => number,
  random: Random,
): Reception[] {
  return gws.map((g, i) => {
    const { rssi, snr } = signal(pathLossDb, i, random);
    let rx = rxEntry
      ? render(rxEntry, { GID: g.gatewayId, GEUI: g.eui, RSSI: String(rssi), SNR: String(snr), TA: ta })
      : '';
    if (rx && g.packetBroker) rx = packetBrokerRx(rx, clock, random);
    // Each entry is cleaned of its zeros alone (the compiled templates already are).
    rx = omitZeros(rx);
    return {
      g,
      uplinkId: ulid(now, random),
      rxg: `[${rx}]`,
      rx,
      jitterMs: i === 0 ? 0 : 1 + Math.floor(random() * 40),
    };
  });
}
