/**
 * Join frames: join-request, rejoin-request and join-accept (decrypted and MIC-checked with the root keys,
 * 1.0.x and 1.1 with OptNeg), and the session keys a join derives.
 */
import type { DecodedFrame, DeviceKeys } from '../../shared/domain/frame.js';
import {
  decryptJoinAccept,
  deriveJsKeys,
  deriveSessionKeys10,
  deriveSessionKeys11,
  joinAcceptMic,
  joinRequestMic,
} from './crypto.js';
import type { DecodeOptions } from './decode.js';
import { cfListText, decodeCfList } from './cf-list.js';
import { beHex, hex, key, wire } from './frame-bytes.js';

export function joinRequest(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  if (phy.length !== 23) {
    out.problems.push(`A join-request has 23 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    out.malformed = true;
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

export function rejoinRequest(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  const type = phy[1];
  const expected = type === 1 ? 24 : 19;
  if (type === undefined || phy.length !== expected) {
    out.problems.push(`A rejoin-request of type ${type ?? '?'} has ${expected} bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    out.malformed = true;
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

export function joinAccept(phy: Buffer, out: DecodedFrame, o: DecodeOptions): DecodedFrame {
  if (phy.length !== 17 && phy.length !== 33) {
    out.problems.push(`A join-accept has 17 or 33 bytes; this one has ${phy.length}.`);
    out.mic_reason = 'The frame has the wrong length.';
    out.malformed = true;
    return out;
  }
  // 1.0.x: encrypted with AppKey; 1.1: with NwkKey (join-request) — the same root key slot in practice.
  const candidates = [key(o.keys, 'nwk_key'), key(o.keys, 'app_key')].filter((k): k is Buffer => !!k);
  out.fields.splice(1); // MIC position is only meaningful once decrypted
  if (candidates.length === 0) {
    out.join_accept = { decrypted: false, verified: false };
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
  const r = o.joinRequest;
  const best = openJoinAccept(
    phy,
    candidates,
    r && {
      joinReqType: r.joinReqType ?? 0xff,
      joinEui: wire(r.joinEui),
      devEui: wire(r.devEui),
      devNonce: wire(r.devNonce),
    },
  );
  const p = best.plain;
  const dl = p[11]!;
  const ja: NonNullable<DecodedFrame['join_accept']> = {
    decrypted: true,
    verified: best.ok === true,
    join_nonce: beHex(p.subarray(1, 4)),
    net_id: beHex(p.subarray(4, 7)),
    dev_addr: beHex(p.subarray(7, 11)),
    dl_settings: { opt_neg: (dl & 0x80) !== 0, rx1_dr_offset: (dl >> 4) & 0x07, rx2_data_rate_index: dl & 0x0f },
    rx_delay: Math.max(1, p[12]! & 0x0f),
  };
  const cfBytes = p.length === 33 ? p.subarray(13, 29) : undefined;
  if (cfBytes) [ja.cf_list_hex, ja.cf_list] = [hex(cfBytes), decodeCfList(cfBytes)];
  out.join_accept = ja;
  out.mic_hex = hex(p.subarray(p.length - 4));
  // Any key "decrypts": only the MIC proves these bytes are the join server's. Unproven ones are marked on
  // every field, so a DevAddr read with a wrong key is not copied as the device's.
  const tag = ja.verified ? '' : ' (unverified)';
  out.fields.push(
    { name: 'join_nonce', label: `JoinNonce${tag}`, start: 1, end: 4, value: ja.join_nonce! },
    { name: 'net_id', label: `NetID${tag}`, start: 4, end: 7, value: ja.net_id! },
    { name: 'dev_addr', label: `DevAddr${tag}`, start: 7, end: 11, value: ja.dev_addr! },
    {
      name: 'dl_settings',
      label: `DLSettings${tag}`,
      start: 11,
      end: 12,
      value: `OptNeg ${ja.dl_settings!.opt_neg ? 1 : 0}, RX1 DR offset ${ja.dl_settings!.rx1_dr_offset}, RX2 DR${ja.dl_settings!.rx2_data_rate_index}`,
    },
    { name: 'rx_delay', label: `RxDelay${tag}`, start: 12, end: 13, value: `${ja.rx_delay} s` },
  );
  if (cfBytes && ja.cf_list)
    out.fields.push({
      name: 'cf_list',
      label: `CFList${tag}`,
      start: 13,
      end: 29,
      value: cfListText(ja.cf_list, cfBytes),
    });
  out.fields.push({ name: 'mic', label: 'MIC (decrypted)', start: p.length - 4, end: p.length, value: out.mic_hex });
  if (best.ok === undefined) {
    out.mic_reason =
      'A LoRaWAN 1.1 join-accept (OptNeg): its MIC covers the join-request (JoinEUI, DevEUI, DevNonce), which is not known here.';
  } else {
    out.mic = best.ok ? 'valid' : 'invalid';
    if (!best.ok)
      out.mic_reason =
        "Decrypted with the root key, but the MIC does not match: not this device's key (or not the join-request it answers).";
  }
  return out;
}

/** The join-request fields a 1.1 (OptNeg) join-accept's MIC covers, as on the air (little-endian). */
interface AnsweredRequest {
  joinReqType: number;
  joinEui: Buffer;
  devEui: Buffer;
  devNonce: Buffer;
}

interface OpenedAccept {
  /** MHDR | decrypted body | MIC. */
  plain: Buffer;
  /** The root key that decrypted it: the one whose MIC verified, else the first tried. */
  root: Buffer;
  /** The MIC verified (true), did not (false), or could not be checked (1.1 OptNeg without the join-request). */
  ok: boolean | undefined;
}

/**
 * Decrypt a join-accept with each root key in turn and check its MIC. 1.0.x: over MHDR | body with the
 * root key (AppKey). 1.1 with OptNeg (§6.2.3): with JSIntKey over JoinReqType | JoinEUI | DevNonce | MHDR |
 * body, so only the join-request it answers can prove it. Which rule applies is itself read from the
 * decrypted DLSettings, so a wrong key gives a random choice and, either way, a MIC that does not match.
 */
function openJoinAccept(phy: Buffer, candidates: Buffer[], request: AnsweredRequest | undefined): OpenedAccept {
  let best: OpenedAccept | undefined;
  for (const k of candidates) {
    const plain = Buffer.concat([phy.subarray(0, 1), decryptJoinAccept(k, phy.subarray(1))]);
    const body = plain.subarray(0, plain.length - 4);
    const mic = plain.subarray(plain.length - 4);
    let ok: boolean | undefined;
    if ((plain[11]! & 0x80) === 0) ok = joinAcceptMic(k, body).equals(mic);
    else if (request) {
      const jsIntKey = deriveJsKeys(k, request.devEui).jsIntKey;
      ok = joinAcceptMic(jsIntKey, body, request).equals(mic);
    }
    if (ok || !best) best = { plain, root: k, ok };
    if (ok) break;
  }
  return best!;
}

/** Session keys of a join, or why none were derived (a sentence for the user). */
export type JoinSession = { keys: DeviceKeys } | { reason: string };

/**
 * Session keys from a join: the join-accept and the join-request it answers, with the root keys (1.0.x:
 * AppKey; 1.1 with OptNeg: NwkKey and AppKey). Derived only when the join-accept's MIC verifies: keys
 * from a wrong root key (or, in 1.1, from another join-request) would make every data frame after it
 * look "invalid" when nothing is wrong with it.
 *
 * A 1.0.x join-accept's MIC does not cover the join-request, so in 1.0.x a join-request that is not the
 * one answered still goes unnoticed here (its DevNonce then gives other keys).
 */
export function sessionKeysFromJoin(acceptPhy: Buffer, requestPhy: Buffer, keys: DeviceKeys): JoinSession {
  const candidates = [key(keys, 'nwk_key'), key(keys, 'app_key')].filter((k): k is Buffer => !!k);
  if (candidates.length === 0) return { reason: 'No root key (AppKey or NwkKey) for this device.' };
  if (requestPhy.length !== 23 || requestPhy[0]! >> 5 !== 0)
    return { reason: `The join-request found is not one: ${requestPhy.length} bytes where a join-request has 23.` };
  if (acceptPhy.length !== 17 && acceptPhy.length !== 33)
    return { reason: `The join-accept found has ${acceptPhy.length} bytes where a join-accept has 17 or 33.` };
  const joinEui = requestPhy.subarray(1, 9);
  const devNonce = requestPhy.subarray(17, 19);
  const { plain, root, ok } = openJoinAccept(acceptPhy, candidates, {
    joinReqType: 0xff,
    joinEui,
    devEui: requestPhy.subarray(9, 17),
    devNonce,
  });
  if (!ok)
    return {
      reason:
        "The join-accept's MIC does not verify with the root key: the key is not this device's, or (LoRaWAN 1.1) the " +
        'join-request found is not the one it answers. Session keys are derived only from a join-accept the key proves.',
    };
  // MHDR | JoinNonce (3) | NetID (3) | DevAddr (4) | DLSettings (OptNeg is its top bit) | …
  const joinNonce = plain.subarray(1, 4);
  if ((plain[11]! & 0x80) === 0) {
    const k = deriveSessionKeys10(root, joinNonce, plain.subarray(4, 7), devNonce);
    return { keys: { nwk_s_key: hex(k.nwkSKey), app_s_key: hex(k.appSKey) } };
  }
  const appKey = key(keys, 'app_key') ?? root;
  const k = deriveSessionKeys11(root, appKey, joinNonce, joinEui, devNonce);
  return {
    keys: {
      f_nwk_s_int_key: hex(k.fNwkSIntKey),
      s_nwk_s_int_key: hex(k.sNwkSIntKey),
      nwk_s_enc_key: hex(k.nwkSEncKey),
      app_s_key: hex(k.appSKey),
    },
  };
}
