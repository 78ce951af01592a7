/**
 * `event-desk decode --phy BASE64|HEX [--keys FILE] [--f-cnt-msb N] [--join-request BASE64|HEX]`: one LoRaWAN frame decoded by the
 * app's decoder (core/frames), printed as one JSON object (#18; a stable interface: fields are only added).
 */
import { readFile } from 'node:fs/promises';
import type { DecodedFrame, DeviceKeys } from '../shared/domain/frame.js';
import { DEVICE_KEY_NAMES } from '../shared/domain/frame.js';
import { decodeFrame, type DecodeOptions } from '../core/frames/decode.js';
import { CommandError, EXIT, UsageError, parseCommand, type ExitCode } from './args.js';
import type { Io } from './context.js';

export const DECODE_HELP = `Usage: event-desk decode --phy BASE64|HEX [--keys FILE] [--f-cnt-msb N] [--join-request BASE64|HEX]

Decode one LoRaWAN frame (a PHYPayload, e.g. an event's raw_payload) on this computer: header, FCtrl,
FCnt, FOpts and port-0 MAC commands in words, and with keys the MIC verdict and the decrypted payload.

  --phy BASE64|HEX   the frame; hex when it is only hex digits (an optional 0x), base64 otherwise
  --keys FILE        JSON with any of nwk_s_key, app_s_key (1.0.x), f_nwk_s_int_key, s_nwk_s_int_key,
                     nwk_s_enc_key (1.1), app_key, nwk_key (root keys), as 32 hex digits. A 1.0.x
                     session under TTS's names (NwkSKey as f_nwk_s_int_key) is recognised.
                     Keys in files are unsafe (backups, shell history of cat, other users): the app
                     keeps device keys in the OS keychain; use files for scripts and test keys only.
  --f-cnt-msb N      the upper 16 bits of the 32-bit frame counter (a device past 65,535 frames)
  --join-request BASE64|HEX
                     with a LoRaWAN 1.1 join-accept (OptNeg) as --phy: the join-request it answers
                     (the raw_payload of its ns.up.join.receive). Its MIC covers that request's JoinEUI
                     and DevNonce, so without it the join-accept cannot be verified.

Prints one JSON object (a stable interface for scripts; fields are only ever added):
  {"mtype","major","dev_addr","f_ctrl":{"adr","adr_ack_req"|"f_pending","ack","class_b","f_opts_len"},
   "f_cnt","full_f_cnt" (the 32-bit counter used),"f_port","f_opts":[{"cid","name","text",…fields}],
   "mac_commands":[…] (FPort 0),
   "frm_payload_hex" (decrypted when keys are given),"mic":"valid"|"invalid"|"unchecked"}
  join frames instead carry "join_request", "rejoin_request" or "join_accept" (decrypted with a root key;
  "verified" only when its MIC proves that key, else its fields are unproven; "cf_list" read from its CFList).
Why a MIC was not checked (or how it was), and problems with the frame, go to stderr.

Exit codes: 0 decoded (whatever the MIC says), 2 bad arguments or not a frame (too short for its type: what
could be read is still printed), 1 the keys file could not be read.

Examples:
  event-desk decode --phy QBvHCyYNAgAFBwcDBwMHAwcDBwMICNKiK1EJoMDnGIBMvn1N
  event-desk decode --phy 40010B2680000001... --keys device-keys.json | jq .mic
`;

/** The frame bytes from the flag: hex when it can only be hex, base64 otherwise. */
export function phyBytes(text: string): Buffer {
  const t = text.trim().replace(/^0x/i, '');
  if (/^([0-9a-fA-F]{2})+$/.test(t)) return Buffer.from(t, 'hex');
  // Padding may be left off (some tools and copies do); a length of 4n+1 cannot be base64 at all.
  // Unpadded only with a character hex lacks: hex with a digit missing must not decode as base64.
  const unpadded = !t.includes('=') && t.length % 4 !== 1 && /[^0-9a-fA-F]/.test(t);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) && (t.length % 4 === 0 || unpadded)) return Buffer.from(t, 'base64');
  throw new UsageError('--phy is neither hex (pairs of hex digits) nor base64.', 'decode');
}

/**
 * `--join-request`: the request a join-accept answers (what a 1.1 join-accept's MIC covers). Refused for any
 * other frame, and when it is not a join-request, so a wrong paste is said, not silently ignored.
 */
export function joinRequestOf(text: string, phy: Buffer): NonNullable<DecodeOptions['joinRequest']> {
  if (phy.length === 0 || phy[0]! >> 5 !== 1)
    throw new UsageError('--join-request goes with a join-accept as --phy (MHDR 0x20).', 'decode');
  let bytes: Buffer;
  try {
    bytes = phyBytes(text);
  } catch {
    throw new UsageError('--join-request is neither hex (pairs of hex digits) nor base64.', 'decode');
  }
  const r = bytes.length === 23 && bytes[0]! >> 5 === 0 ? decodeFrame(bytes).join_request : undefined;
  if (!r)
    throw new UsageError(
      '--join-request is not a join-request: 23 bytes starting with MHDR 0x00 (an ns.up.join.receive raw_payload).',
      'decode',
    );
  return { joinEui: r.join_eui, devEui: r.dev_eui, devNonce: r.dev_nonce, joinReqType: 0xff };
}

/** A keys file: known names only, each 32 hex digits. */
export function parseKeysFile(text: string): DeviceKeys {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The keys file is not JSON: ${(e as Error).message}`, 'decode');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError('The keys file must be a JSON object of hex keys.', 'decode');
  const out: DeviceKeys = {};
  for (const [k, val] of Object.entries(v)) {
    if (!(DEVICE_KEY_NAMES as readonly string[]).includes(k))
      throw new UsageError(`Unknown key "${k}" in the keys file. Keys: ${DEVICE_KEY_NAMES.join(', ')}.`, 'decode');
    if (typeof val !== 'string' || !/^[0-9a-fA-F]{32}$/.test(val.replace(/[\s:-]/g, '')))
      throw new UsageError(`"${k}" must be 32 hex digits (16 bytes).`, 'decode');
    out[k as keyof DeviceKeys] = val.replace(/[\s:-]/g, '').toUpperCase();
  }
  return out;
}

/** The command's JSON: the stable fields of #18 in their order, without the byte view and notes. */
export function decodeJson(d: DecodedFrame): Record<string, unknown> {
  const out: Record<string, unknown> = { mtype: d.mtype, major: d.major };
  const put = (k: string, v: unknown) => {
    if (v !== undefined) out[k] = v;
  };
  const commands = (list?: DecodedFrame['f_opts']) => list?.map(({ length: _length, ...c }) => c);
  put('dev_addr', d.dev_addr);
  put('f_ctrl', d.f_ctrl);
  put('f_cnt', d.f_cnt);
  put('full_f_cnt', d.full_f_cnt);
  put('f_port', d.f_port);
  put('f_opts', commands(d.f_opts));
  put('mac_commands', commands(d.mac_commands));
  put('frm_payload_hex', d.frm_payload_hex);
  put('join_request', d.join_request);
  put('rejoin_request', d.rejoin_request);
  put('join_accept', d.join_accept);
  out.mic = d.mic;
  return out;
}

export async function decodeCommand(argv: string[], io: Io): Promise<ExitCode> {
  const { values } = parseCommand('decode', argv, {
    phy: { type: 'string' },
    keys: { type: 'string' },
    'f-cnt-msb': { type: 'string' },
    'join-request': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(DECODE_HELP);
    return EXIT.ok;
  }
  if (!values.phy) throw new UsageError('--phy is required: the frame as base64 or hex.', 'decode');
  const phy = phyBytes(values.phy);
  let msb: number | undefined;
  if (values['f-cnt-msb'] !== undefined) {
    msb = Number(values['f-cnt-msb']);
    if (!Number.isInteger(msb) || msb < 0 || msb > 0xffff)
      throw new UsageError('--f-cnt-msb is the upper 16 bits of the counter: an integer from 0 to 65535.', 'decode');
  }
  let keys: DeviceKeys | undefined;
  if (values.keys) {
    let text: string;
    try {
      text = await readFile(values.keys, 'utf8');
    } catch (e) {
      throw new CommandError(`Cannot read the keys file: ${(e as Error).message}`, EXIT.failure);
    }
    // Said once there are keys in a file to warn about.
    io.stderr.write(
      'event-desk decode: warning: keys in a file are unsafe (backups, other users, shell history); the app keeps device keys in the OS keychain.\n',
    );
    keys = parseKeysFile(text);
  }
  const joinRequest = values['join-request'] !== undefined ? joinRequestOf(values['join-request'], phy) : undefined;
  const d = decodeFrame(phy, {
    ...(keys ? { keys } : {}),
    ...(msb !== undefined ? { fCntMsb: msb } : {}),
    ...(joinRequest ? { joinRequest } : {}),
  });
  if (d.mtype === 'UNKNOWN') throw new UsageError('--phy is empty.', 'decode');
  io.stdout.write(JSON.stringify(decodeJson(d)) + '\n');
  // A valid MIC's reason says how it checked (half of a 1.1 MIC, a 1.0 session under 1.1 key names).
  if (d.mic_reason) io.stderr.write(`event-desk decode: MIC ${d.mic}: ${d.mic_reason}\n`);
  for (const p of d.problems) io.stderr.write(`event-desk decode: ${p}\n`);
  // What could be read is printed, but a frame no device could have sent is not "decoded".
  return d.malformed ? EXIT.usage : EXIT.ok;
}
