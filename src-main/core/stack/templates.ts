/**
 * Event templates made from the constructed v3.32 samples, so generated events have the real shapes.
 *
 * Each sample is turned once into a JSON string with `§TOKEN§` holes (IDs, times, counters, radio
 * metadata, correlation IDs); rendering is one string replace, which keeps the stack fast enough to
 * be the load generator for benchmarks (no per-event object building or JSON.stringify).
 */
import flows from './flows.json' with { type: 'json' };
import type { EntityKind } from '../../shared/tts/types.js';

type Sample = Record<string, unknown> & { name: string; correlation_ids?: string[]; data?: Record<string, unknown> };

/** MAC command payloads as the TTS Console's fixtures show them (sample-events.json 13 and 20). */
const LINK_ADR_REQ = {
  '@type': 'type.googleapis.com/ttn.lorawan.v3.MACCommand.LinkADRReq',
  data_rate_index: 5,
  tx_power_index: 1,
  channel_mask: [
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
  ],
  nb_trans: 1,
};
const LINK_ADR_ANS_REJECT = {
  '@type': 'type.googleapis.com/ttn.lorawan.v3.MACCommand.LinkADRAns',
  channel_mask_ack: true,
  data_rate_index_ack: true,
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Flows derived from the constructed samples, with the same shapes and correlation rules:
 * - `macRequest`: a data uplink after which the NS asks the device to change its data rate
 *   (`ns.mac.link_adr.request`, carrying the uplink's IDs plus the `ns:downlink:` of the downlink);
 * - `macAnswer`: the device's next uplink, whose MAC answer the NS rejects (`ns.mac.link_adr.answer.reject`);
 * - `confirmed`: a confirmed uplink (`CONFIRMED_UP`, `confirmed: true`) and the NS's acknowledgement downlink
 *   through the gateway to its TX ack, linked to the uplink by its IDs (no application downlink involved).
 */
function derivedFlows(base: Record<string, Sample[]>): Record<'macRequest' | 'macAnswer' | 'confirmed', Sample[]> {
  const up = base.uplink!;
  const processIdx = up.findIndex((e) => e.name === 'ns.up.data.process');
  const process = up[processIdx]!;
  const envelope = (name: string, data: unknown, ids: string[], uid: string): Sample => ({
    name,
    time: process.time,
    identifiers: clone(process.identifiers),
    data: clone(data) as Record<string, unknown>,
    correlation_ids: [...ids].sort(),
    origin: process.origin,
    visibility: { rights: ['RIGHT_APPLICATION_TRAFFIC_READ'] },
    unique_id: uid,
  });
  const nsDownlink = 'ns:downlink:01JB99Z8F0NSDN7K2WQYCMD0DX';
  const macRequest = [
    ...up.slice(0, processIdx + 1).map(clone),
    envelope(
      'ns.mac.link_adr.request',
      LINK_ADR_REQ,
      [...process.correlation_ids!, nsDownlink],
      '01JB99Z8F1MACREQ0000000000',
    ),
    ...up.slice(processIdx + 1).map(clone),
  ];
  const receiveIdx = up.findIndex((e) => e.name === 'ns.up.data.receive');
  const macAnswer = [
    ...up.slice(0, receiveIdx + 1).map(clone),
    envelope(
      'ns.mac.link_adr.answer.reject',
      LINK_ADR_ANS_REJECT,
      process.correlation_ids!,
      '01JB99Z8F2MACANS0000000000',
    ),
    ...up.slice(receiveIdx + 1).map(clone),
  ];

  // Confirmed: mark the uplink, then reuse the NS/GS part of the downlink samples as the ack downlink.
  const confirmedUp = up.map((e) => {
    const c = clone(e);
    const walk = (v: unknown): void => {
      if (typeof v !== 'object' || v === null) return;
      const o = v as Record<string, unknown>;
      if (o.m_hdr && typeof o.m_hdr === 'object' && o.mac_payload)
        (o.m_hdr as Record<string, unknown>).m_type = 'CONFIRMED_UP';
      if (c.name.startsWith('as.up.') && o.f_port !== undefined && o.frm_payload !== undefined) o.confirmed = true;
      Object.values(o).forEach(walk);
    };
    walk(c.data);
    return c;
  });
  const upIds = process.correlation_ids!;
  const down = base.downlink!;
  const downUplinkIds = down
    .find((e) => e.name === 'ns.down.data.schedule.attempt')!
    .correlation_ids!.filter(
      (i) => i.startsWith('gs:uplink:') || i.startsWith('rpc:/ttn.lorawan.v3.GsNs/HandleUplink:'),
    );
  const ack = down
    .filter((e) => !e.name.startsWith('as.'))
    .map((e) => {
      let json = JSON.stringify(e);
      // Point the downlink at this uplink, and drop what only an application downlink has.
      for (const [i, id] of downUplinkIds.entries()) json = json.split(id).join(upIds[i]!);
      const c = JSON.parse(json) as Sample;
      const fix = (ids: string[]) =>
        [
          ...ids.filter((i) => !i.startsWith('as:downlink:') && !i.startsWith('rpc:/ttn.lorawan.v3.AppAs/')),
          nsDownlink,
        ].sort();
      c.correlation_ids = fix(c.correlation_ids ?? []);
      // It acknowledges the confirmed uplink: FCtrl ACK, as the frame on the air says.
      const ack = (v: unknown): void => {
        if (typeof v !== 'object' || v === null) return;
        const o = v as Record<string, unknown>;
        if (o.f_hdr && typeof o.f_hdr === 'object')
          (o.f_hdr as Record<string, unknown>).f_ctrl = {
            ...((o.f_hdr as Record<string, unknown>).f_ctrl as object),
            ack: true,
          };
        Object.values(o).forEach(ack);
      };
      ack(c.data);
      if (Array.isArray(c.data?.correlation_ids)) c.data.correlation_ids = fix(c.data.correlation_ids as string[]);
      return c;
    });
  return { macRequest, macAnswer, confirmed: [...confirmedUp, ...ack] };
}

const ALL_FLOWS: Record<string, Sample[]> = { ...(flows as unknown as Record<string, Sample[]>) };
Object.assign(ALL_FLOWS, derivedFlows(ALL_FLOWS));

export type FlowName = keyof typeof flows | 'macRequest' | 'macAnswer' | 'confirmed';

/** One event of a flow, ready to render. */
export interface EventTemplate {
  name: string;
  /** Which entity the event is about; decides which subscriptions receive it. */
  scope: EntityKind;
  /** The ID the template uses for a non-fleet entity (registry events), e.g. `demo-org`. */
  fixedId?: string;
  rights: string[];
  json: string;
  /** Number of distinct correlation ULIDs in the flow (tokens §C0§ … §Cn§). */
}

export interface FlowTemplate {
  events: EventTemplate[];
  correlationSlots: number;
  /** One rx_metadata entry with §GID§/§GEUI§/§RSSI§/§SNR§ holes, when the flow has radio metadata. */
  rxEntry?: string;
}

const TIMESTAMP = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g;
const CORRELATION_ULID = /:([0-9A-HJKMNP-TV-Z]{26})"/g;

const LITERALS: Array<[RegExp, string]> = [
  [/"eui-70b3d57ed0000001"/g, '"§DID§"'],
  [/"70B3D57ED0000001"/g, '"§DEVEUI§"'],
  [/"demo-app"/g, '"§APP§"'],
  [/"260B5D3E"/g, '"§DADDR§"'],
  [/"(?:demo|lbs)-gateway"/g, '"§GID§"'],
  [/"(?:B827EBFFFE000001|58A0CBFFFE802A21)"/g, '"§GEUI§"'],
  [/"f_cnt":\d+/g, '"f_cnt":§FCNT§'],
  [/"full_f_cnt":\d+/g, '"full_f_cnt":§FCNT§'],
  [/"frm_payload":"[^"]*"/g, '"frm_payload":"§FRM§"'],
  [/"decoded_payload":\{[^{}]*\}/g, '"decoded_payload":§DEC§'],
  [/"dev_nonce":"[0-9A-F]{4}"/g, '"dev_nonce":"§NONCE§"'],
];

function scopeOf(event: { identifiers?: Array<Record<string, unknown>> }): { scope: EntityKind; fixedId?: string } {
  const ids = event.identifiers?.[0] ?? {};
  if (ids.device_ids) {
    const id = (ids.device_ids as { device_id: string }).device_id;
    return id === 'eui-70b3d57ed0000001' ? { scope: 'device' } : { scope: 'device', fixedId: id };
  }
  if (ids.gateway_ids) return { scope: 'gateway' };
  if (ids.application_ids) return { scope: 'application' };
  if (ids.organization_ids)
    return { scope: 'organization', fixedId: (ids.organization_ids as { organization_id: string }).organization_id };
  if (ids.user_ids) return { scope: 'user', fixedId: (ids.user_ids as { user_id: string }).user_id };
  return { scope: 'application' };
}

function templatize(samples: Array<Record<string, unknown>>): FlowTemplate {
  const slots = new Map<string, number>();
  let rxEntry: string | undefined;
  const events = samples.map((sample) => {
    const { scope, fixedId } = scopeOf(sample as never);
    let json = JSON.stringify(sample);
    json = json.replace(/"unique_id":"[0-9A-Z]{26}"/, '"unique_id":"§UID§"');
    json = json.replace(CORRELATION_ULID, (_m, id: string) => {
      if (!slots.has(id)) slots.set(id, slots.size);
      return `:§C${slots.get(id)}§"`;
    });
    let first = true;
    json = json.replace(TIMESTAMP, (m, ts: string) => {
      if (ts.startsWith('0001-')) return m;
      if (first) {
        first = false;
        return '"§T§"';
      }
      return '"§TA§"';
    });
    for (const [re, token] of LITERALS) {
      // Only uplinks get generated decoded payloads; a downlink keeps the sample's own.
      if (token.includes('§DEC§') && !String(sample.name).startsWith('as.up.')) continue;
      json = json.replace(re, token);
    }
    json = json.replace(/"rx_metadata":\[(\{[^\]]*\})\]/g, (_m, entry: string) => {
      rxEntry ??= entry
        .replace(/"(rssi|channel_rssi)":-?[\d.]+/g, '"$1":§RSSI§')
        .replace(/"snr":-?[\d.]+/g, '"snr":§SNR§');
      return scope === 'gateway' ? '"rx_metadata":§RXG§' : '"rx_metadata":§RX§';
    });
    // Device-level uplink events carry every receiving gateway's gs:uplink ID (the NS merges duplicates).
    if (scope !== 'gateway') json = json.replace(/"gs:uplink:§C0§"/g, '§GSUP§');
    const rights = ((sample.visibility as { rights?: string[] } | undefined)?.rights ?? []).slice();
    const t: EventTemplate = { name: String(sample.name), scope, rights, json };
    if (fixedId) t.fixedId = fixedId;
    return t;
  });
  const flow: FlowTemplate = { events, correlationSlots: slots.size };
  if (rxEntry) flow.rxEntry = rxEntry;
  return flow;
}

/** All flows, tokenized once at load. */
export const FLOWS: Record<FlowName, FlowTemplate> = Object.fromEntries(
  Object.entries(ALL_FLOWS).map(([name, samples]) => [name, templatize(samples as Array<Record<string, unknown>>)]),
) as Record<FlowName, FlowTemplate>;

const TOKEN = /§(\w+)§/g;

/** A template split once into literal pieces and variable names: rendering is then a join, no regex. */
const compiled = new Map<string, { parts: string[]; keys: string[] }>();

function compile(template: string): { parts: string[]; keys: string[] } {
  let c = compiled.get(template);
  if (c) return c;
  const parts: string[] = [];
  const keys: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    parts.push(template.slice(last, m.index));
    keys.push(m[1]!);
    last = m.index! + m[0].length;
  }
  parts.push(template.slice(last));
  c = { parts, keys };
  compiled.set(template, c);
  return c;
}

/** Fill a template's holes. A missing variable is a bug in the scenario, so it throws. */
export function render(template: string, vars: Record<string, string>): string {
  const { parts, keys } = compile(template);
  let out = parts[0]!;
  for (let i = 0; i < keys.length; i++) {
    const v = vars[keys[i]!];
    if (v === undefined) throw new Error(`template variable ${keys[i]} missing`);
    out += v + parts[i + 1]!;
  }
  return out;
}
