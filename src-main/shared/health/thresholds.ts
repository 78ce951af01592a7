/**
 * Colour thresholds for radio quality, as ThingPark's Wireless Logger colours its SNR and SF cells:
 * good at or above `good`, bad below `bad`, fair between. Spreading factors grade the other way round
 * (a high SF is a device far from its gateways). Users edit them; these are the defaults.
 */
export interface Thresholds {
  /** SNR (dB): ≥ good is good, < bad is bad. */
  snr: { good: number; bad: number };
  /** RSSI (dBm): ≥ good is good, < bad is bad. */
  rssi: { good: number; bad: number };
  /** Spreading factor: ≥ bad is bad, ≥ fair is fair. */
  sf: { fair: number; bad: number };
}

export type Grade = 'good' | 'fair' | 'bad';

export const DEFAULT_THRESHOLDS: Thresholds = {
  snr: { good: -8, bad: -13 },
  rssi: { good: -110, bad: -120 },
  sf: { fair: 11, bad: 12 },
};

export function gradeSnr(v: number, t: Thresholds = DEFAULT_THRESHOLDS): Grade {
  return v >= t.snr.good ? 'good' : v < t.snr.bad ? 'bad' : 'fair';
}

export function gradeRssi(v: number, t: Thresholds = DEFAULT_THRESHOLDS): Grade {
  return v >= t.rssi.good ? 'good' : v < t.rssi.bad ? 'bad' : 'fair';
}

/** The spreading factor of a data rate text such as `SF12BW125`; undefined for FSK/LR-FHSS. */
export function spreadingFactor(dataRate: string | undefined): number | undefined {
  const m = dataRate ? /^SF(\d+)/.exec(dataRate) : null;
  return m ? Number(m[1]) : undefined;
}

export function gradeSf(sf: number, t: Thresholds = DEFAULT_THRESHOLDS): Grade {
  return sf >= t.sf.bad ? 'bad' : sf >= t.sf.fair ? 'fair' : 'good';
}

/** Thresholds from untrusted input (a settings file, a form): anything not a finite number keeps its default. */
export function checkThresholds(v: unknown): Thresholds {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, Record<string, unknown> | undefined>;
  const n = (group: 'snr' | 'rssi' | 'sf', key: string, d: number): number => {
    const x = o[group]?.[key];
    return typeof x === 'number' && Number.isFinite(x) ? x : d;
  };
  const d = DEFAULT_THRESHOLDS;
  return {
    snr: { good: n('snr', 'good', d.snr.good), bad: n('snr', 'bad', d.snr.bad) },
    rssi: { good: n('rssi', 'good', d.rssi.good), bad: n('rssi', 'bad', d.rssi.bad) },
    sf: { fair: n('sf', 'fair', d.sf.fair), bad: n('sf', 'bad', d.sf.bad) },
  };
}
