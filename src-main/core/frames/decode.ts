/**
 * Decode a LoRaWAN PHYPayload, with or without keys: header fields, MAC commands, MIC verdict,
 * decrypted FRMPayload and FOpts, the 32-bit FCnt, join frames; and the byte range of every field for
 * the Frame tab's hex view.
 *
 * Runs in main only (keys never leave it) and only when asked: a frame opened in the detail pane, a
 * `mic:` query, `event-desk decode`. Never throws on hostile bytes: problems are listed in the result.
 */
import type { DecodedFrame, DeviceKeys, FCtrl, FrameField, MacCommand } from '../../shared/domain/frame.js';
import { cipherPayload, dataMic10, downlinkMic11, fullFCnt, uplinkMic11 } from './crypto.js';
import { parseMacCommands } from './mac-commands.js';
import { beHex, hex, is11Session, key } from './frame-bytes.js';
import { joinAccept, joinRequest, rejoinRequest } from './join-frames.js';
import { MTYPE_NAMES } from '../../shared/domain/frame-bits.js';

export interface DecodeOptions {
  keys?: DeviceKeys;
  /** The upper 16 bits of the 32-bit FCnt (`--f-cnt-msb`); wins over `lastFCnt`. */
  fCntMsb?: number;
  /** The session's last 32-bit counter in this direction: the full FCnt is recovered from it. */
  lastFCnt?: number;
  /** LoRaWAN 1.1 MIC inputs: the acknowledged frame's counter (ACK set), the uplink's data rate and channel index. */
  confFCnt?: number;
  /** ConfFCnt values only inferred (the uplinks decoded before a downlink): tried in turn, a miss is not "invalid". */
  confFCntCandidates?: number[];
  txDr?: number;
  txCh?: number;
  /** The join-request a 1.1 (OptNeg) join-accept answers: its MIC covers JoinEUI and DevNonce. */
  joinRequest?: { joinEui: string; devEui: string; devNonce: string; joinReqType?: number };
}

export function decodeFrame(phy: Buffer, options: DecodeOptions = {}): DecodedFrame {
  const fields: FrameField[] = [];
  const problems: string[] = [];
  if (phy.length === 0)
    return {
      mtype: 'UNKNOWN',
      major: 'UNKNOWN',
      mic: 'unchecked',
      mic_reason: 'The frame is empty.',
      fields,
      problems: ['The frame is empty.'],
    };
  const mhdr = phy[0]!;
  const mtype = MTYPE_NAMES[mhdr >> 5]!;
  const major = (mhdr & 0x03) === 0 ? 'LORAWAN_R1' : `RFU_${mhdr & 0x03}`;
  fields.push({ name: 'mhdr', label: 'MHDR', start: 0, end: 1, value: `${mtype}, major ${major}` });
  const base: DecodedFrame = { mtype, major, mic: 'unchecked', fields, problems };
  if (mhdr & 0x1c) problems.push('MHDR has RFU bits set.');
  if (phy.length >= 5) {
    base.mic_hex = hex(phy.subarray(phy.length - 4));
    fields.push({ name: 'mic', label: 'MIC', start: phy.length - 4, end: phy.length, value: base.mic_hex });
  }
  switch (mtype) {
    case 'JOIN_REQUEST':
      return joinRequest(phy, base, options);
    case 'REJOIN_REQUEST':
      return rejoinRequest(phy, base, options);
    case 'JOIN_ACCEPT':
      return joinAccept(phy, base, options);
    case 'PROPRIETARY':
      base.mic_reason = 'Proprietary frames have no standard MIC.';
      fields.splice(1);
      return base;
    default:
      return dataFrameAnyVersion(phy, base, options);
  }
}

/**
 * The Things Stack keeps a 1.0.x session's NwkSKey in f_nwk_s_int_key (keys.proto: "NwkSKey in 1.0
 * compatibility mode"), and its session-keys JSON uses those names: such keys look like 1.1 but are
 * 1.0. When the 1.1 reading does not check, the frame is read again as 1.0.x with that key as NwkSKey.
 */
function dataFrameAnyVersion(phy: Buffer, base: DecodedFrame, o: DecodeOptions): DecodedFrame {
  const frame = dataFrame(phy, base, o);
  const nwk = is11Session(o.keys) && !key(o.keys, 'nwk_s_key') ? ttsNwkSKey(o.keys!) : undefined;
  if (frame.mic === 'valid' || frame.malformed || !nwk) return frame;
  const { f_nwk_s_int_key: _f, s_nwk_s_int_key: _s, nwk_s_enc_key: _e, ...rest } = o.keys!;
  const v10 = decodeFrame(phy, { ...o, keys: { ...rest, nwk_s_key: nwk[1] } });
  if (v10.mic === 'valid') {
    v10.mic_reason = `Valid as LoRaWAN 1.0.x (TTS stores the NwkSKey as ${nwk[0]}).`;
    return v10;
  }
  if (frame.mic === 'invalid') frame.mic_reason += ` Also tried as LoRaWAN 1.0.x with ${nwk[0]} as NwkSKey: no match.`;
  return frame;
}

/** The key TTS would hold a 1.0.x NwkSKey in (all three network keys are that key), with its name. */
function ttsNwkSKey(keys: DeviceKeys): [string, string] | undefined {
  if (key(keys, 'f_nwk_s_int_key')) return ['FNwkSIntKey', keys.f_nwk_s_int_key!];
  if (key(keys, 's_nwk_s_int_key')) return ['SNwkSIntKey', keys.s_nwk_s_int_key!];
  if (key(keys, 'nwk_s_enc_key')) return ['NwkSEncKey', keys.nwk_s_enc_key!];
  return undefined;
}

function dataFrame(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  const { fields, problems } = out;
  if (phy.length < 12) {
    problems.push(`A data frame has at least 12 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame is too short to check.';
    out.malformed = true;
    return out;
  }
  const uplink = out.mtype.endsWith('_UP');
  const devAddr = phy.subarray(1, 5);
  const fctrl = phy[5]!;
  const fOptsLen = fctrl & 0x0f;
  const fCnt = phy.readUInt16LE(6);
  out.dev_addr = beHex(devAddr);
  const f: FCtrl = uplink
    ? {
        adr: !!(fctrl & 0x80),
        adr_ack_req: !!(fctrl & 0x40),
        ack: !!(fctrl & 0x20),
        class_b: !!(fctrl & 0x10),
        f_opts_len: fOptsLen,
      }
    : { adr: !!(fctrl & 0x80), ack: !!(fctrl & 0x20), f_pending: !!(fctrl & 0x10), f_opts_len: fOptsLen };
  out.f_ctrl = f;
  out.f_cnt = fCnt;
  fields.push({ name: 'fhdr.dev_addr', label: 'DevAddr', start: 1, end: 5, value: out.dev_addr });
  const flags = Object.entries(f)
    .filter(([k, v]) => v === true && k !== 'f_opts_len')
    .map(([k]) => k.toUpperCase().replace(/_/g, ''));
  fields.push({
    name: 'fhdr.f_ctrl',
    label: 'FCtrl',
    start: 5,
    end: 6,
    value: `${flags.join(' ') || 'no flags'}, FOptsLen ${fOptsLen}`,
  });
  fields.push({ name: 'fhdr.f_cnt', label: 'FCnt', start: 6, end: 8, value: String(fCnt) });
  const macEnd = phy.length - 4;
  const optsEnd = 8 + fOptsLen;
  if (optsEnd > macEnd) {
    problems.push(`FOptsLen says ${fOptsLen} bytes but only ${macEnd - 8} remain before the MIC.`);
    out.mic_reason = 'The frame is cut short.';
    out.malformed = true;
    return out;
  }
  const keys = o.keys;
  const v11 = is11Session(keys);
  const full = o.fCntMsb !== undefined ? (o.fCntMsb & 0xffff) * 0x10000 + fCnt : fullFCnt(fCnt, o.lastFCnt);
  out.full_f_cnt = full;
  const hasPort = macEnd > optsEnd;
  const fPort = hasPort ? phy[optsEnd]! : undefined;
  if (fPort !== undefined) out.f_port = fPort;

  // FOpts: clear text in 1.0.x; encrypted with NwkSEncKey in 1.1 (§4.3.1.6).
  if (fOptsLen > 0) {
    let opts = phy.subarray(8, optsEnd);
    const encKey = key(keys, 'nwk_s_enc_key');
    let note = '';
    if (v11 && encKey) {
      opts = cipherPayload(encKey, uplink, devAddr, full, opts, {
        fOpts: true,
        aFCntDown: !uplink && fPort !== undefined && fPort > 0,
      });
      note = ' (decrypted)';
    } else if (v11) {
      note = ' (LoRaWAN 1.1: encrypted, set NwkSEncKey to read)';
    }
    fields.push({ name: 'fhdr.f_opts', label: 'FOpts', start: 8, end: optsEnd, value: hex(opts) + note });
    if (!v11 || encKey) {
      const parsed = parseMacCommands(opts, uplink);
      out.f_opts = parsed.commands;
      addCommandFields(fields, 'fhdr.f_opts', 8, parsed.commands);
      if (parsed.problem) problems.push(`FOpts: ${parsed.problem}.`);
    }
    if (fPort === 0) problems.push('FOpts and FPort 0 in one frame: the specification forbids MAC commands in both.');
  }
  if (fPort !== undefined)
    fields.push({
      name: 'f_port',
      label: 'FPort',
      start: optsEnd,
      end: optsEnd + 1,
      value: fPort === 0 ? '0 (MAC commands)' : String(fPort),
    });

  const frm = hasPort ? phy.subarray(optsEnd + 1, macEnd) : Buffer.alloc(0);
  if (hasPort) {
    const payloadKey =
      fPort === 0 ? (v11 ? key(keys, 'nwk_s_enc_key') : key(keys, 'nwk_s_key')) : key(keys, 'app_s_key');
    const plain = payloadKey ? cipherPayload(payloadKey, uplink, devAddr, full, frm) : undefined;
    out.frm_payload_hex = hex(plain ?? frm);
    out.frm_payload_decrypted = plain !== undefined;
    const keyName = fPort === 0 ? (v11 ? 'NwkSEncKey' : 'NwkSKey') : 'AppSKey';
    fields.push({
      name: 'frm_payload',
      label: 'FRMPayload',
      start: optsEnd + 1,
      end: macEnd,
      value: plain ? `${hex(plain)} (decrypted with ${keyName})` : `${hex(frm)} (encrypted; set ${keyName} to read)`,
    });
    if (fPort === 0 && plain) {
      const parsed = parseMacCommands(plain, uplink);
      out.mac_commands = parsed.commands;
      addCommandFields(fields, 'frm_payload', optsEnd + 1, parsed.commands);
      if (parsed.problem) problems.push(`FRMPayload (port 0): ${parsed.problem}.`);
    }
  }

  const msg = phy.subarray(0, macEnd);
  const mic = phy.subarray(macEnd);
  checkDataMic(out, o, { uplink, v11, devAddr, full, msg, mic, ack: f.ack });
  fields.sort((a, b) => a.start - b.start || b.end - a.end);
  return out;
}

function addCommandFields(fields: FrameField[], prefix: string, start: number, commands: MacCommand[]): void {
  let at = start;
  commands.forEach((c, i) => {
    fields.push({ name: `${prefix}.${i}`, label: c.name, start: at, end: at + c.length, value: c.text });
    at += c.length;
  });
}

function checkDataMic(
  out: DecodedFrame,
  o: DecodeOptions,
  f: { uplink: boolean; v11: boolean; devAddr: Buffer; full: number; msg: Buffer; mic: Buffer; ack: boolean },
): void {
  const keys = o.keys;
  const counter =
    o.fCntMsb !== undefined
      ? ''
      : f.full > 0xffff
        ? ''
        : ' If the device has sent more than 65,535 frames, give the upper 16 bits of its counter.';
  if (!f.v11) {
    const nwk = key(keys, 'nwk_s_key');
    if (!nwk) {
      out.mic_reason = 'No NwkSKey (or 1.1 network keys) for this device.';
      return;
    }
    out.mic = dataMic10(nwk, f.uplink, f.devAddr, f.full, f.msg).equals(f.mic) ? 'valid' : 'invalid';
    if (out.mic === 'invalid')
      out.mic_reason = `Checked as LoRaWAN 1.0.x with NwkSKey and FCnt ${f.full}: a wrong key, another session, or a counter past 16 bits.${counter}`;
    return;
  }
  const s = key(keys, 's_nwk_s_int_key');
  const fk = key(keys, 'f_nwk_s_int_key');
  const confFCnt = f.ack ? o.confFCnt : 0;
  if (!f.uplink) {
    if (!s) return void (out.mic_reason = 'No SNwkSIntKey for this device.');
    if (confFCnt === undefined && f.ack && o.confFCntCandidates?.length) {
      const tried = o.confFCntCandidates;
      const hit = tried.find((c) => downlinkMic11(s, c, f.devAddr, f.full, f.msg).equals(f.mic));
      if (hit !== undefined) {
        out.mic = 'valid';
        out.mic_reason = `Checked as LoRaWAN 1.1 with ConfFCnt ${hit}: the counter of the uplink it acknowledges.`;
      } else
        out.mic_reason =
          `The downlink acknowledges an uplink whose counter (ConfFCnt) is not known for sure: tried ${tried.join(', ')} ` +
          '(uplinks decoded before it), none matched. Open the uplink it answers.';
      return;
    }
    if (confFCnt === undefined)
      return void (out.mic_reason = 'The downlink acknowledges an uplink whose counter is not known (ConfFCnt).');
    out.mic = downlinkMic11(s, confFCnt, f.devAddr, f.full, f.msg).equals(f.mic) ? 'valid' : 'invalid';
    if (out.mic === 'invalid') out.mic_reason = `Checked as LoRaWAN 1.1 with SNwkSIntKey and FCnt ${f.full}.${counter}`;
    return;
  }
  if (!fk) return void (out.mic_reason = 'No FNwkSIntKey for this device.');
  // The FNwkSIntKey half (bytes 2–3) depends on nothing but the frame: The Things Stack matches uplinks
  // on it too (pkg/networkserver/grpc_gsns.go). The SNwkSIntKey half also covers ConfFCnt, TxDr and TxCh.
  const full11 = uplinkMic11(fk, s ?? fk, confFCnt ?? 0, o.txDr ?? 0, o.txCh ?? 0, f.devAddr, f.full, f.msg);
  const fHalf = full11.subarray(2).equals(f.mic.subarray(2));
  if (!fHalf) {
    out.mic = 'invalid';
    out.mic_reason = `The FNwkSIntKey half of the MIC does not match (FCnt ${f.full}).${counter}`;
    return;
  }
  if (s && confFCnt !== undefined && o.txDr !== undefined && o.txCh !== undefined) {
    out.mic = full11.subarray(0, 2).equals(f.mic.subarray(0, 2)) ? 'valid' : 'invalid';
    if (out.mic === 'invalid')
      out.mic_reason =
        'The FNwkSIntKey half matches but the SNwkSIntKey half does not (ConfFCnt, TxDr or TxCh differ, or the key).';
    return;
  }
  out.mic = 'valid';
  out.mic_reason =
    "Only the FNwkSIntKey half was checked: the SNwkSIntKey half needs the uplink's data rate and channel index.";
}
