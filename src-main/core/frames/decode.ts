/**
 * Decode a LoRaWAN PHYPayload, with or without keys: header fields, MAC commands, MIC verdict,
 * decrypted FRMPayload and FOpts, the 32-bit FCnt, join frames; and the byte range of every field for
 * the Frame tab's hex view.
 *
 * Runs in main only (keys never leave it) and only when asked: a frame opened in the detail pane, a
 * `mic:` query, `event-desk decode`. Never throws on hostile bytes: problems are listed in the result.
 */
import type { DecodedFrame, DeviceKeys, FCtrl, FrameField, MacCommand } from '../../shared/domain/frame.js';
import {
  cipherPayload,
  dataMic10,
  decryptJoinAccept,
  deriveJsKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  downlinkMic11,
  fullFCnt,
  joinAcceptMic,
  joinRequestMic,
  uplinkMic11,
} from './crypto.js';
import { parseMacCommands } from './mac-commands.js';

export const MTYPES = [
  'JOIN_REQUEST',
  'JOIN_ACCEPT',
  'UNCONFIRMED_UP',
  'UNCONFIRMED_DOWN',
  'CONFIRMED_UP',
  'CONFIRMED_DOWN',
  'REJOIN_REQUEST',
  'PROPRIETARY',
] as const;

export interface DecodeOptions {
  keys?: DeviceKeys;
  /** The upper 16 bits of the 32-bit FCnt (`--f-cnt-msb`); wins over `lastFCnt`. */
  fCntMsb?: number;
  /** The session's last 32-bit counter in this direction: the full FCnt is recovered from it. */
  lastFCnt?: number;
  /** LoRaWAN 1.1 MIC inputs: the acknowledged frame's counter (ACK set), the uplink's data rate and channel index. */
  confFCnt?: number;
  txDr?: number;
  txCh?: number;
  /** The join-request a 1.1 (OptNeg) join-accept answers: its MIC covers JoinEUI and DevNonce. */
  joinRequest?: { joinEui: string; devEui: string; devNonce: string; joinReqType?: number };
}

/** Upper-case hex of bytes in the order given. */
const hex = (b: Buffer) => b.toString('hex').toUpperCase();
/** Display form of a little-endian field (DevAddr, EUIs, nonces): most significant byte first. */
const beHex = (b: Buffer) => hex(Buffer.from(b).reverse());
/** Wire (little-endian) bytes of a display-form hex value. */
export const wire = (displayHex: string) => Buffer.from(displayHex, 'hex').reverse();

/** A 16-byte key from hex, or undefined when absent or malformed (the keys file and the keychain are checked on entry). */
function key(keys: DeviceKeys | undefined, name: keyof DeviceKeys): Buffer | undefined {
  const v = keys?.[name];
  return typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v) ? Buffer.from(v, 'hex') : undefined;
}

/** Whether the keys are a LoRaWAN 1.1 session (separate network keys) rather than 1.0.x. */
const is11Session = (keys: DeviceKeys | undefined) =>
  !!(key(keys, 'f_nwk_s_int_key') ?? key(keys, 's_nwk_s_int_key') ?? key(keys, 'nwk_s_enc_key'));

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
  const mtype = MTYPES[mhdr >> 5]!;
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
      return dataFrame(phy, base, options);
  }
}

function dataFrame(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  const { fields, problems } = out;
  if (phy.length < 12) {
    problems.push(`A data frame has at least 12 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame is too short to check.';
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

function joinRequest(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  if (phy.length !== 23) {
    out.problems.push(`A join-request has 23 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    return out;
  }
  const joinEui = phy.subarray(1, 9);
  const devEui = phy.subarray(9, 17);
  const devNonce = phy.subarray(17, 19);
  out.join_request = { join_eui: beHex(joinEui), dev_eui: beHex(devEui), dev_nonce: beHex(devNonce) };
  out.fields.push(
    { name: 'join_eui', label: 'JoinEUI', start: 1, end: 9, value: out.join_request.join_eui },
    { name: 'dev_eui', label: 'DevEUI', start: 9, end: 17, value: out.join_request.dev_eui },
    { name: 'dev_nonce', label: 'DevNonce', start: 17, end: 19, value: out.join_request.dev_nonce },
  );
  out.fields.sort((a, b) => a.start - b.start);
  // 1.1 signs with NwkKey, 1.0.x with AppKey (the same root key under two names).
  const candidates = [key(o.keys, 'nwk_key'), key(o.keys, 'app_key')].filter((k): k is Buffer => !!k);
  if (candidates.length === 0) {
    out.mic_reason = 'No root key (AppKey or NwkKey) for this device.';
    return out;
  }
  const msg = phy.subarray(0, 19);
  out.mic = candidates.some((k) => joinRequestMic(k, msg).equals(phy.subarray(19))) ? 'valid' : 'invalid';
  if (out.mic === 'invalid') out.mic_reason = "Checked with the root key: it is not this device's key.";
  return out;
}

function rejoinRequest(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  const type = phy[1];
  const expected = type === 1 ? 24 : 19;
  if (type === undefined || phy.length !== expected) {
    out.problems.push(`A rejoin-request of type ${type ?? '?'} has ${expected} bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    return out;
  }
  const r: NonNullable<DecodedFrame['rejoin_request']> = { rejoin_type: type, dev_eui: '', rj_count: 0 };
  if (type === 1) {
    r.join_eui = beHex(phy.subarray(2, 10));
    r.dev_eui = beHex(phy.subarray(10, 18));
    r.rj_count = phy.readUInt16LE(18);
    out.fields.push(
      { name: 'rejoin_type', label: 'RejoinType', start: 1, end: 2, value: '1' },
      { name: 'join_eui', label: 'JoinEUI', start: 2, end: 10, value: r.join_eui },
      { name: 'dev_eui', label: 'DevEUI', start: 10, end: 18, value: r.dev_eui },
      { name: 'rj_count', label: 'RJcount1', start: 18, end: 20, value: String(r.rj_count) },
    );
  } else {
    r.net_id = beHex(phy.subarray(2, 5));
    r.dev_eui = beHex(phy.subarray(5, 13));
    r.rj_count = phy.readUInt16LE(13);
    out.fields.push(
      { name: 'rejoin_type', label: 'RejoinType', start: 1, end: 2, value: String(type) },
      { name: 'net_id', label: 'NetID', start: 2, end: 5, value: r.net_id },
      { name: 'dev_eui', label: 'DevEUI', start: 5, end: 13, value: r.dev_eui },
      { name: 'rj_count', label: 'RJcount0', start: 13, end: 15, value: String(r.rj_count) },
    );
  }
  out.rejoin_request = r;
  out.fields.sort((a, b) => a.start - b.start);
  const nwkKey = key(o.keys, 'nwk_key');
  const micKey =
    type === 1
      ? nwkKey
        ? deriveJsKeys(nwkKey, phy.subarray(10, 18)).jsIntKey
        : undefined
      : key(o.keys, 's_nwk_s_int_key');
  if (!micKey) {
    out.mic_reason = type === 1 ? 'No NwkKey (to derive JSIntKey) for this device.' : 'No SNwkSIntKey for this device.';
    return out;
  }
  out.mic = joinRequestMic(micKey, phy.subarray(0, phy.length - 4)).equals(phy.subarray(phy.length - 4))
    ? 'valid'
    : 'invalid';
  return out;
}

function joinAccept(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  if (phy.length !== 17 && phy.length !== 33) {
    out.problems.push(`A join-accept has 17 or 33 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    return out;
  }
  // 1.0.x: encrypted with AppKey; 1.1: with NwkKey (join-request) — the same root key slot in practice.
  const candidates = [key(o.keys, 'nwk_key'), key(o.keys, 'app_key')].filter((k): k is Buffer => !!k);
  out.fields.splice(1); // MIC position is only meaningful once decrypted
  if (candidates.length === 0) {
    out.join_accept = { decrypted: false };
    out.fields.push({
      name: 'join_accept',
      label: 'Encrypted join-accept',
      start: 1,
      end: phy.length,
      value: `${hex(phy.subarray(1))} (set AppKey or NwkKey to read)`,
    });
    out.mic_reason = 'No root key (AppKey or NwkKey) for this device.';
    return out;
  }
  let best: { plain: Buffer; ok: boolean | undefined } | undefined;
  for (const k of candidates) {
    const plain = Buffer.concat([phy.subarray(0, 1), decryptJoinAccept(k, phy.subarray(1))]);
    const body = plain.subarray(0, plain.length - 4);
    const mic = plain.subarray(plain.length - 4);
    let ok: boolean | undefined;
    if ((plain[11]! & 0x80) === 0) ok = joinAcceptMic(k, body).equals(mic);
    else if (o.joinRequest) {
      // 1.1 (OptNeg): signed with JSIntKey over JoinReqType | JoinEUI | DevNonce | MHDR | body (§6.2.3).
      const r = o.joinRequest;
      const jsIntKey = deriveJsKeys(k, wire(r.devEui)).jsIntKey;
      ok = joinAcceptMic(jsIntKey, body, {
        joinReqType: r.joinReqType ?? 0xff,
        joinEui: wire(r.joinEui),
        devNonce: wire(r.devNonce),
      }).equals(mic);
    }
    if (ok || !best) best = { plain, ok };
    if (ok) break;
  }
  const p = best!.plain;
  const dl = p[11]!;
  const ja: NonNullable<DecodedFrame['join_accept']> = {
    decrypted: true,
    join_nonce: beHex(p.subarray(1, 4)),
    net_id: beHex(p.subarray(4, 7)),
    dev_addr: beHex(p.subarray(7, 11)),
    dl_settings: { opt_neg: (dl & 0x80) !== 0, rx1_dr_offset: (dl >> 4) & 0x07, rx2_data_rate_index: dl & 0x0f },
    rx_delay: Math.max(1, p[12]! & 0x0f),
  };
  if (p.length === 33) ja.cf_list_hex = hex(p.subarray(13, 29));
  out.join_accept = ja;
  out.mic_hex = hex(p.subarray(p.length - 4));
  out.fields.push(
    { name: 'join_nonce', label: 'JoinNonce', start: 1, end: 4, value: ja.join_nonce! },
    { name: 'net_id', label: 'NetID', start: 4, end: 7, value: ja.net_id! },
    { name: 'dev_addr', label: 'DevAddr', start: 7, end: 11, value: ja.dev_addr! },
    {
      name: 'dl_settings',
      label: 'DLSettings',
      start: 11,
      end: 12,
      value: `OptNeg ${ja.dl_settings!.opt_neg ? 1 : 0}, RX1 DR offset ${ja.dl_settings!.rx1_dr_offset}, RX2 DR${ja.dl_settings!.rx2_data_rate_index}`,
    },
    { name: 'rx_delay', label: 'RxDelay', start: 12, end: 13, value: `${ja.rx_delay} s` },
  );
  if (ja.cf_list_hex) out.fields.push({ name: 'cf_list', label: 'CFList', start: 13, end: 29, value: ja.cf_list_hex });
  out.fields.push({ name: 'mic', label: 'MIC (decrypted)', start: p.length - 4, end: p.length, value: out.mic_hex });
  if (best!.ok === undefined) {
    out.mic_reason =
      'A LoRaWAN 1.1 join-accept (OptNeg): its MIC covers the join-request (JoinEUI, DevEUI, DevNonce), which is not known here.';
  } else {
    out.mic = best!.ok ? 'valid' : 'invalid';
    if (!best!.ok)
      out.mic_reason =
        "Decrypted with the root key, but the MIC does not match: not this device's key (or not the join-request it answers).";
  }
  return out;
}

/**
 * Session keys from a join: the decrypted join-accept and the join-request it answers, with the root
 * keys (1.0.x: AppKey; 1.1 with OptNeg: NwkKey and AppKey). Undefined when a key or a frame is missing.
 */
export function sessionKeysFromJoin(acceptPhy: Buffer, requestPhy: Buffer, keys: DeviceKeys): DeviceKeys | undefined {
  const root = key(keys, 'nwk_key') ?? key(keys, 'app_key');
  if (!root || requestPhy.length !== 23 || (acceptPhy.length !== 17 && acceptPhy.length !== 33)) return undefined;
  const plain = decryptJoinAccept(root, acceptPhy.subarray(1));
  const joinNonce = plain.subarray(0, 3);
  const netId = plain.subarray(3, 6);
  // JoinNonce (3) | NetID (3) | DevAddr (4) | DLSettings: OptNeg is its top bit.
  const optNeg = (plain[10]! & 0x80) !== 0;
  const devNonce = requestPhy.subarray(17, 19);
  if (!optNeg) {
    const k = deriveSessionKeys10(root, joinNonce, netId, devNonce);
    return { nwk_s_key: hex(k.nwkSKey), app_s_key: hex(k.appSKey) };
  }
  const appKey = key(keys, 'app_key') ?? root;
  const k = deriveSessionKeys11(root, appKey, joinNonce, requestPhy.subarray(1, 9), devNonce);
  return {
    f_nwk_s_int_key: hex(k.fNwkSIntKey),
    s_nwk_s_int_key: hex(k.sNwkSIntKey),
    nwk_s_enc_key: hex(k.nwkSEncKey),
    app_s_key: hex(k.appSKey),
  };
}
