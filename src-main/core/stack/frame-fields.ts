/**
 * The parsed-payload fields of the stack's events that follow the frame on the air, for the flows whose
 * frames differ from the templates' samples (#18): a downlink's own counter (FCntDown, or 1.1's
 * NFCntDown/AFCntDown — not the uplink's), MAC commands in FOpts, and a LoRaWAN 1.1 device's join.
 *
 * The downlink and FOpts edits are made once per compiled template variant (`editTemplate`), with the
 * per-event values left as holes; they used to parse and re-serialise every such event (a tenth of the
 * stack's time at full speed). The join's, rare, still edits each event (`joinFields11`).
 */

/** LinkADRReq (CID 0x03, network → device): DR5, TX power 1, channels 0–2 (mask 0x0007), NbTrans 1. */
export const LINK_ADR_REQ = Buffer.from([0x03, 0x51, 0x07, 0x00, 0x01]);
/**
 * LinkADRAns (CID 0x03, device → network) refusing the channel mask (ChannelMaskACK 0, DataRateACK 1,
 * PowerACK 1): what `ns.mac.link_adr.answer.reject` reports.
 */
export const LINK_ADR_ANS_REJECT = Buffer.from([0x03, 0x06]);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(v: unknown, visit: (o: Json) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (isObj(v)) {
    visit(v);
    for (const x of Object.values(v)) walk(x, visit);
  }
}

/** proto3 JSON leaves a zero counter out. */
function setCounter(o: Json, key: string, value: number): void {
  if (value === 0) delete o[key];
  else o[key] = value;
}

/**
 * A downlink event's fields set to the downlink's own counter: `f_hdr.f_cnt` (16 bits on the air),
 * `full_f_cnt` and the application message's `f_cnt` (32 bits), and FOpts when the frame carries MAC
 * commands (base64).
 */
function editDownlink(ev: Json, fCnt16: number, fCnt32: number, fOpts: string | undefined): void {
  walk(ev.data, (o) => {
    if (isObj(o.f_hdr)) {
      setCounter(o.f_hdr, 'f_cnt', fCnt16);
      setCounter(o, 'full_f_cnt', fCnt32);
      if (fOpts !== undefined) o.f_hdr.f_opts = fOpts;
    }
    // The AS's downlink messages (forwarded, sent) carry the application counter. (A MACPayload has
    // FPort and FRMPayload too, but its counter is in its FHDR.)
    else if ('f_port' in o && 'frm_payload' in o) setCounter(o, 'f_cnt', fCnt32);
  });
}

/** An uplink event whose frame carries MAC commands in FOpts (as the device sent them, 1.1 ones encrypted; base64). */
function editUplinkFOpts(ev: Json, fOpts: string): void {
  walk(ev.data, (o) => {
    if (isObj(o.f_hdr)) o.f_hdr.f_opts = fOpts;
  });
}

/**
 * Which edit a compiled variant carries: a downlink's counter and FOpts (whether each counter is zero,
 * which proto3 leaves out, and whether there are FOpts), or an uplink's FOpts.
 */
export type FrameEdit = { down: { zero16: boolean; zero32: boolean; fOpts: boolean } } | { upFOpts: true };

export const frameEditKey = (e: FrameEdit | undefined): string =>
  e === undefined ? '' : 'down' in e ? `d${+e.down.zero16}${+e.down.zero32}${+e.down.fOpts}` : 'u';

/** Holes outside a JSON string, as a JSON value that parses and prints back to the same text. */
const BARE_HOLES: ReadonlyArray<[hole: string, stand_in: string]> = [
  ['§FCNT§', '9100000001'],
  ['§DOWN_FCNT16§', '9100000002'],
  ['§DOWN_FCNT§', '9100000003'],
  ['§RX§', '["§RX§"]'],
  ['§RXG§', '["§RXG§"]'],
  ['§DEC§', '{"§DEC§":0}'],
  ['§GSUP§', '"§GSUP§"'],
  ['§JOIN_REQUEST_MIC§', '"mic":"§JOIN_REQUEST_MIC§"'],
  ['§JOIN_ACCEPT_MIC§', '"mic":"§JOIN_ACCEPT_MIC§"'],
];

/**
 * A template (JSON with `§HOLE§`s) with an edit made to it, the per-event values left as holes
 * (`§DOWN_FCNT16§`, `§DOWN_FCNT§`, `§DOWN_FOPTS§`, `§UP_FOPTS§`). The holes that are not inside a string
 * are stood in for by values JSON reads and writes back unchanged, so the result is, byte for byte, what
 * parsing and re-serialising each rendered event did: same key order, a zero counter left out.
 */
export function editTemplate(json: string, edit: FrameEdit): string {
  let text = json;
  for (const [hole, standIn] of BARE_HOLES) {
    if (text.includes(standIn)) throw new Error(`template already contains ${standIn}`);
    text = text.replaceAll(hole, standIn);
  }
  const ev = JSON.parse(text) as Json;
  const number = (hole: string) => Number(BARE_HOLES.find(([h]) => h === hole)![1]);
  if ('down' in edit)
    editDownlink(
      ev,
      edit.down.zero16 ? 0 : number('§DOWN_FCNT16§'),
      edit.down.zero32 ? 0 : number('§DOWN_FCNT§'),
      edit.down.fOpts ? '§DOWN_FOPTS§' : undefined,
    );
  else editUplinkFOpts(ev, '§UP_FOPTS§');
  let out = JSON.stringify(ev);
  for (const [hole, standIn] of BARE_HOLES) out = out.replaceAll(standIn, hole);
  return out;
}

/** A LoRaWAN 1.1 device's join events: the selected MAC version and the join-accept's OptNeg bit. */
export function joinFields11(json: string): string {
  if (!json.includes('rx2_dr') && !json.includes('MAC_V1_0_3')) return json;
  const ev = JSON.parse(json) as Json;
  walk(ev.data, (o) => {
    if (o.selected_mac_version === 'MAC_V1_0_3') o.selected_mac_version = 'MAC_V1_1';
    for (const k of ['dl_settings', 'downlink_settings']) if (isObj(o[k])) o[k] = { opt_neg: true, ...o[k] };
  });
  return JSON.stringify(ev);
}
