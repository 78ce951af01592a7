/**
 * A LoRaWAN frame decoded by main (`core/frames/`), as it crosses IPC and as `event-desk decode` prints it.
 *
 * The snake_case names are the command's stable JSON interface (#18): change them only additively. Keys
 * never appear here; only what they revealed (the MIC's verdict, the decrypted payload).
 */

/** Whether the MIC was checked against a key, and what it said. */
export type MicStatus = 'valid' | 'invalid' | 'unchecked';

/** One MAC command in plain words: the CID, its name and its fields (data rate, acceptance bits, …). */
export interface MacCommand {
  cid: number;
  name: string;
  /** One line a person reads, e.g. "ADR request: DR5, TX power 2, channels 0–2, NbTrans 1". */
  text: string;
  /** Bytes the command takes, CID included (to place it in the byte view). */
  length: number;
  [field: string]: unknown;
}

/** A run of bytes of the PHYPayload and what it is: the hex dissector's rows. */
export interface FrameField {
  /** Dotted path, e.g. `mhdr`, `fhdr.dev_addr`, `fhdr.f_opts`, `frm_payload`, `mic`. */
  name: string;
  label: string;
  start: number;
  /** Exclusive. */
  end: number;
  /** The value as read (hex or words). */
  value: string;
}

export interface FCtrl {
  adr: boolean;
  /** Uplink only. */
  adr_ack_req?: boolean;
  ack: boolean;
  /** Downlink only. */
  f_pending?: boolean;
  /** Uplink only (class B enabled). */
  class_b?: boolean;
  f_opts_len: number;
}

/** Key names of a device: the 1.0.x session keys, the 1.1 session keys and the root keys (hex, 16 bytes). */
export const DEVICE_KEY_NAMES = [
  'nwk_s_key',
  'app_s_key',
  'f_nwk_s_int_key',
  's_nwk_s_int_key',
  'nwk_s_enc_key',
  'app_key',
  'nwk_key',
] as const;
export type DeviceKeyName = (typeof DEVICE_KEY_NAMES)[number];
export type DeviceKeys = Partial<Record<DeviceKeyName, string>>;

/** Which keys a device has in the keychain (never their values). */
export interface DeviceKeyState {
  applicationId: string;
  deviceId: string;
  set: DeviceKeyName[];
}

/**
 * A join-accept's CFList: its CFListType and what it sets. Type 0: five channel frequencies in Hz (0 = no
 * channel in that place); type 1: the channels the masks enable (ChMask0 bit 0 = channel 0). Other types
 * are only named; their bytes are in `cf_list_hex`.
 */
export interface CfList {
  type: number;
  frequencies_hz?: number[];
  channels?: number[];
}

export interface DecodedFrame {
  mtype: string;
  major: string;
  dev_addr?: string;
  f_ctrl?: FCtrl;
  /** The 16 bits on the air. */
  f_cnt?: number;
  /** The 32-bit counter the MIC and the decryption used (from the session's last counter or `--f-cnt-msb`). */
  full_f_cnt?: number;
  f_port?: number;
  f_opts?: MacCommand[];
  /** MAC commands carried in the FRMPayload of FPort 0 (decrypted with the network key). */
  mac_commands?: MacCommand[];
  /** FRMPayload as hex: decrypted when a key was given (`frm_payload_decrypted`), else as on the air. */
  frm_payload_hex?: string;
  frm_payload_decrypted?: boolean;
  mic: MicStatus;
  mic_hex?: string;
  /** Why the MIC is `unchecked` (no key, an unknown version, …) or what an invalid MIC may mean. */
  mic_reason?: string;
  join_request?: { join_eui: string; dev_eui: string; dev_nonce: string };
  rejoin_request?: { rejoin_type: number; net_id?: string; join_eui?: string; dev_eui: string; rj_count: number };
  join_accept?: {
    /** False when no root key was given: the fields below are then absent. */
    decrypted: boolean;
    /**
     * The MIC proved the decryption with the key tried. False (a MIC that does not match, or a 1.1 one that
     * could not be checked without its join-request): the fields below are unproven, garbage if the key was wrong.
     */
    verified: boolean;
    join_nonce?: string;
    net_id?: string;
    dev_addr?: string;
    dl_settings?: { opt_neg: boolean; rx1_dr_offset: number; rx2_data_rate_index: number };
    rx_delay?: number;
    cf_list_hex?: string;
    /** The CFList read (present with `cf_list_hex`). */
    cf_list?: CfList;
  };
  /** The byte view: every field's byte range (join-accept fields index the decrypted bytes). */
  fields: FrameField[];
  /** Things wrong with the frame (too short, FOpts cut, unknown MAC command, …). */
  problems: string[];
  /** Its length cannot be a frame of its type (too short, FOpts past the end, a join of the wrong size). */
  malformed?: true;
  /** Where the event's own decoded fields (the server's reading) differ from ours. */
  disagreements?: string[];
}

/** What the Frame tab shows for one event: its frame decoded with the device's keys, if any. */
export interface FrameView {
  /** Absent when the event carries no raw frame (`raw_payload`). */
  frame?: DecodedFrame;
  /** The device the keys belong to: from the event, or found by DevAddr among devices seen before. */
  device?: { applicationId: string; deviceId: string };
  /** Names of the keys set for that device (never their values). */
  keys: DeviceKeyName[];
  /** The PHYPayload as on the air (hex), for the byte view. */
  bytesHex?: string;
  /** Why there is no frame or no device. */
  note?: string;
}

/**
 * What `mic:` and `mac:` filter on, per entry: main decodes an entry's frame once with its device's keys
 * and keeps this (never the keys, never the payload). `mic` is absent when the event carries no raw frame.
 */
export interface FrameFacts {
  mic?: MicStatus;
  /** Names of the MAC commands read (FOpts, and FPort 0 when decrypted), e.g. `LinkADRReq`. */
  mac: string[];
}

/** Facts of a frame as `mic:`/`mac:` use them. */
export function frameFactsOf(frame: DecodedFrame | undefined): FrameFacts {
  if (!frame) return { mac: [] };
  const mac = [...(frame.f_opts ?? []), ...(frame.mac_commands ?? [])].map((c) => c.name);
  return { mic: frame.mic, mac: [...new Set(mac)] };
}

/** Facts of a set of entries as the window receives them; `version` changes when keys change. */
export interface FrameFactsBatch {
  version: number;
  facts: Record<number, FrameFacts>;
}

/** Entries the window may ask about at once (`frames:facts`). */
export const MAX_FACTS_REQUEST = 5000;
