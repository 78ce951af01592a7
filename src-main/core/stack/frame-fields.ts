/**
 * The parsed-payload fields of the stack's events that follow the frame on the air, for the flows whose
 * frames differ from the templates' samples (#18): a downlink's own counter (FCntDown, or 1.1's
 * NFCntDown/AFCntDown — not the uplink's), MAC commands in FOpts, and a LoRaWAN 1.1 device's join. Only
 * those (uncommon) events go through here, so the common path keeps its compiled templates.
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
 * A downlink event with the downlink's own counter: `f_hdr.f_cnt` (16 bits on the air), `full_f_cnt` and
 * the application message's `f_cnt` (32 bits), and FOpts when the frame carries MAC commands.
 */
export function downlinkFields(json: string, fCnt: number, fOpts?: Buffer): string {
  const ev = JSON.parse(json) as Json;
  walk(ev.data, (o) => {
    if (isObj(o.f_hdr)) {
      setCounter(o.f_hdr, 'f_cnt', fCnt & 0xffff);
      setCounter(o, 'full_f_cnt', fCnt);
      if (fOpts?.length) o.f_hdr.f_opts = fOpts.toString('base64');
    }
    // The AS's downlink messages (forwarded, sent) carry the application counter. (A MACPayload has
    // FPort and FRMPayload too, but its counter is in its FHDR.)
    else if ('f_port' in o && 'frm_payload' in o) setCounter(o, 'f_cnt', fCnt);
  });
  return JSON.stringify(ev);
}

/** An uplink event whose frame carries MAC commands in FOpts (as the device sent them, in the clear). */
export function uplinkFOpts(json: string, fOpts: Buffer): string {
  const ev = JSON.parse(json) as Json;
  walk(ev.data, (o) => {
    if (isObj(o.f_hdr)) o.f_hdr.f_opts = fOpts.toString('base64');
  });
  return JSON.stringify(ev);
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
