/**
 * The server's own reading of a frame, where the event carries one (`payload` next to `raw_payload`),
 * compared with ours: a disagreement is worth a line in the Frame tab (a proto3 zero the server left out
 * is not one).
 */
import type { DecodedFrame } from '../../shared/domain/frame.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const b64hex = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex').toUpperCase() : '');

/**
 * Lines naming each field where the server's parsed `payload` and our decoding differ. `phy`, the frame's
 * bytes, lets encrypted (1.1) FOpts be compared as sent; without it they are compared only when clear.
 */
export function serverDisagreements(frame: DecodedFrame, payload: unknown, phy?: Buffer): string[] {
  const p = obj(payload);
  if (!p) return [];
  const out: string[] = [];
  const say = (field: string, server: unknown, ours: unknown) => {
    if (String(server) !== String(ours))
      out.push(
        `${field}: the server says ${String(server) || '(nothing)'}, the frame says ${String(ours) || '(nothing)'}`,
      );
  };
  // proto3 JSON omits enum 0 (JOIN_REQUEST) and zero counters.
  say('message type', obj(p.m_hdr)?.m_type ?? 'JOIN_REQUEST', frame.mtype);
  if (p.mic !== undefined && frame.mtype !== 'JOIN_ACCEPT') say('MIC', b64hex(p.mic), frame.mic_hex ?? '');
  const mac = obj(p.mac_payload);
  if (mac && frame.f_ctrl) {
    const fHdr = obj(mac.f_hdr) ?? {};
    say('DevAddr', fHdr.dev_addr ?? '', frame.dev_addr ?? '');
    say('FCnt', fHdr.f_cnt ?? 0, frame.f_cnt ?? 0);
    const fCtrl = obj(fHdr.f_ctrl) ?? {};
    say('FCtrl ADR', fCtrl.adr === true, frame.f_ctrl.adr);
    say('FCtrl ACK', fCtrl.ack === true, frame.f_ctrl.ack);
    if (frame.f_ctrl.adr_ack_req !== undefined)
      say('FCtrl ADRACKReq', fCtrl.adr_ack_req === true, frame.f_ctrl.adr_ack_req);
    if (frame.f_ctrl.f_pending !== undefined) say('FCtrl FPending', fCtrl.f_pending === true, frame.f_ctrl.f_pending);
    // The server's f_opts are the bytes as sent, 1.1 ones still encrypted (TTS decrypts a copy to read
    // them): compared with the frame's bytes as sent, whether or not their commands could be read.
    const opts = rawOptsHex(frame, phy);
    if (opts !== undefined) say('FOpts', b64hex(fHdr.f_opts), opts);
    if (frame.f_port !== undefined) say('FPort', mac.f_port ?? 0, frame.f_port);
    if (!frame.frm_payload_decrypted && frame.frm_payload_hex !== undefined && typeof mac.frm_payload === 'string')
      say('FRMPayload', b64hex(mac.frm_payload), frame.frm_payload_hex);
  }
  return out;
}

/** The FOpts bytes as sent: from the frame, else from the byte view unless it shows them decrypted. */
function rawOptsHex(frame: DecodedFrame, phy: Buffer | undefined): string | undefined {
  const field = frame.fields.find((f) => f.name === 'fhdr.f_opts');
  if (!field) return '';
  if (phy) return phy.subarray(field.start, field.end).toString('hex').toUpperCase();
  return field.value.endsWith('(decrypted)') ? undefined : field.value.split(' ')[0];
}
