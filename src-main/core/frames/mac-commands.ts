/**
 * MAC commands in plain words (LoRaWAN 1.0.4 §5, 1.1 §5, class B §14, TS011 relay CIDs named only):
 * requests and answers, with the device's acceptance bits spelled out.
 *
 * Direction matters: the same CID is a request one way and an answer the other (0x03 is LinkADRReq
 * from the network, LinkADRAns from the device).
 */
import type { MacCommand } from '../../shared/domain/frame.js';
import { channelList, freq, mhz } from './frame-bytes.js';

type Fields = Record<string, unknown>;
interface Def {
  name: string;
  /** Payload bytes after the CID. */
  len: number;
  read?: (b: Buffer) => Fields;
  /** One line for a person. */
  say: (f: Fields) => string;
}

const bit = (v: number, n: number) => ((v >> n) & 1) === 1;
const yesNo = (ok: unknown, what: string) => `${what} ${ok ? 'accepted' : 'REJECTED'}`;
const ackOnly = (name: string, text: string): Def => ({ name, len: 0, say: () => text });

/** Commands the device sends (uplink). */
const UPLINK: Record<number, Def> = {
  0x01: {
    name: 'ResetInd',
    len: 1,
    read: (b) => ({ minor_version: b[0]! & 0x0f }),
    say: (f) => `Device reset, LoRaWAN 1.${f.minor_version}`,
  },
  0x02: ackOnly('LinkCheckReq', 'Device asks for a link check'),
  0x03: {
    name: 'LinkADRAns',
    len: 1,
    read: (b) => ({ power_ack: bit(b[0]!, 2), data_rate_ack: bit(b[0]!, 1), channel_mask_ack: bit(b[0]!, 0) }),
    say: (f) =>
      `ADR answer: ${yesNo(f.power_ack, 'TX power')}, ${yesNo(f.data_rate_ack, 'data rate')}, ${yesNo(f.channel_mask_ack, 'channel mask')}`,
  },
  0x04: ackOnly('DutyCycleAns', 'Duty cycle limit applied'),
  0x05: {
    name: 'RXParamSetupAns',
    len: 1,
    read: (b) => ({ rx1_dr_offset_ack: bit(b[0]!, 2), rx2_data_rate_ack: bit(b[0]!, 1), channel_ack: bit(b[0]!, 0) }),
    say: (f) => {
      const acks = [
        yesNo(f.rx1_dr_offset_ack, 'RX1 DR offset'),
        yesNo(f.rx2_data_rate_ack, 'RX2 data rate'),
        yesNo(f.channel_ack, 'RX2 frequency'),
      ];
      return `RX parameters answer: ${acks.join(', ')}`;
    },
  },
  0x06: {
    name: 'DevStatusAns',
    len: 2,
    read: (b) => {
      const raw = b[1]! & 0x3f;
      // The specification's 6-bit signed integer (two's complement, as LoRaMac-node sends it). The Things
      // Stack reads the byte as a sign bit and one's complement magnitude (pkg/encoding/lorawan/mac.go), so
      // it shows negative margins one or more dB apart; both are given.
      const margin = raw >= 32 ? raw - 64 : raw;
      const ttsMargin = raw & 0x20 ? -(raw & 0x1f) - 1 : raw & 0x1f;
      return { battery: b[0]!, margin, tts_margin: ttsMargin };
    },
    say: (f) => {
      const b = f.battery as number;
      const battery =
        b === 0 ? 'external power' : b === 255 ? 'battery level unknown' : `battery ${Math.round((b / 254) * 100)} %`;
      const note = f.margin !== f.tts_margin ? ` (The Things Stack reads ${String(f.tts_margin)} dB)` : '';
      return `Device status: ${battery}, link margin ${String(f.margin)} dB${note}`;
    },
  },
  0x07: {
    name: 'NewChannelAns',
    len: 1,
    read: (b) => ({ data_rate_ack: bit(b[0]!, 1), frequency_ack: bit(b[0]!, 0) }),
    say: (f) =>
      `New channel answer: ${yesNo(f.data_rate_ack, 'data rate range')}, ${yesNo(f.frequency_ack, 'frequency')}`,
  },
  0x08: ackOnly('RXTimingSetupAns', 'RX1 delay applied'),
  0x09: ackOnly('TxParamSetupAns', 'TX parameters applied'),
  0x0a: {
    name: 'DlChannelAns',
    len: 1,
    read: (b) => ({ uplink_frequency_exists_ack: bit(b[0]!, 1), frequency_ack: bit(b[0]!, 0) }),
    say: (f) =>
      `Downlink channel answer: ${yesNo(f.uplink_frequency_exists_ack, 'channel (uplink frequency exists)')}, ${yesNo(f.frequency_ack, 'frequency')}`,
  },
  0x0b: {
    name: 'RekeyInd',
    len: 1,
    read: (b) => ({ minor_version: b[0]! & 0x0f }),
    say: (f) => `Device confirms its new session keys, LoRaWAN 1.${f.minor_version}`,
  },
  0x0c: ackOnly('ADRParamSetupAns', 'ADR ACK limit and delay applied'),
  0x0d: ackOnly('DeviceTimeReq', 'Device asks for the network time'),
  0x0f: {
    name: 'RejoinParamSetupAns',
    len: 1,
    read: (b) => ({ max_time_exponent_ack: bit(b[0]!, 0) }),
    say: (f) => `Rejoin parameters answer: count applied, ${yesNo(f.max_time_exponent_ack, 'time limit')}`,
  },
  0x10: {
    name: 'PingSlotInfoReq',
    len: 1,
    read: (b) => ({ periodicity: b[0]! & 0x07 }),
    say: (f) => `Class B ping slot every ${2 ** (f.periodicity as number)} s`,
  },
  0x11: {
    name: 'PingSlotChannelAns',
    len: 1,
    read: (b) => ({ data_rate_ack: bit(b[0]!, 1), frequency_ack: bit(b[0]!, 0) }),
    say: (f) =>
      `Ping slot channel answer: ${yesNo(f.data_rate_ack, 'data rate')}, ${yesNo(f.frequency_ack, 'frequency')}`,
  },
  0x12: ackOnly('BeaconTimingReq', 'Device asks for the next beacon time (deprecated)'),
  0x13: {
    name: 'BeaconFreqAns',
    len: 1,
    read: (b) => ({ frequency_ack: bit(b[0]!, 0) }),
    say: (f) => `Beacon frequency answer: ${yesNo(f.frequency_ack, 'frequency')}`,
  },
  0x20: {
    name: 'DeviceModeInd',
    len: 1,
    read: (b) => ({ class: ['A', 'RFU', 'C'][b[0]!] ?? 'RFU' }),
    say: (f) => `Device switches to class ${String(f.class)}`,
  },
};

/** Commands the network sends (downlink). */
const DOWNLINK: Record<number, Def> = {
  0x01: {
    name: 'ResetConf',
    len: 1,
    read: (b) => ({ minor_version: b[0]! & 0x0f }),
    say: (f) => `Reset confirmed, LoRaWAN 1.${f.minor_version}`,
  },
  0x02: {
    name: 'LinkCheckAns',
    len: 2,
    read: (b) => ({ margin: b[0]!, gateway_count: b[1]! }),
    say: (f) =>
      `Link check: ${String(f.margin)} dB above the demodulation floor, heard by ${String(f.gateway_count)} gateway(s)`,
  },
  0x03: {
    name: 'LinkADRReq',
    len: 4,
    read: (b) => {
      const mask = b[1]! | (b[2]! << 8);
      return {
        data_rate_index: b[0]! >> 4,
        tx_power_index: b[0]! & 0x0f,
        channel_mask: mask,
        channel_mask_control: (b[3]! >> 4) & 0x07,
        nb_trans: b[3]! & 0x0f,
      };
    },
    say: (f) => {
      const cntl = f.channel_mask_control as number;
      const mask = f.channel_mask as number;
      // ChMaskCntl 0 applies the mask to channels 0–15; the others are region-specific (RP002), and the
      // frame does not say the region: 6 is "all on" in EU868, "all 125 kHz on, mask for 64–71" in US915/AU915.
      const channels =
        cntl === 0
          ? `channels ${channelList(mask)}`
          : cntl === 6
            ? `ChMaskCntl 6 (region-specific): all channels on (EU868 and alike), or all 125 kHz channels on and ` +
              `channels 64–71 by the mask: ${channelList(mask & 0xff, 64)} (US915, AU915)`
            : `channel mask ${mask.toString(2).padStart(16, '0')} with ChMaskCntl ${cntl} (region-specific)`;
      const dr = f.data_rate_index === 15 ? 'keep data rate' : `DR${String(f.data_rate_index)}`;
      const power = f.tx_power_index === 15 ? 'keep TX power' : `TX power ${String(f.tx_power_index)}`;
      // NbTrans 0 means the default, 1 transmission, in LoRaWAN 1.0.3/1.0.4 §5.3, but "keep it" in 1.1 §5.3
      // (and to TTS): the frame does not say its version.
      const nbTrans = f.nb_trans === 0 ? '0 (1.0.3/1.0.4: default, 1; 1.1: unchanged)' : String(f.nb_trans);
      return `ADR request: ${dr}, ${power}, ${channels}, NbTrans ${nbTrans}`;
    },
  },
  0x04: {
    name: 'DutyCycleReq',
    len: 1,
    read: (b) => ({ max_duty_cycle: b[0]! & 0x0f }),
    say: (f) => `Duty cycle limit: 1/${2 ** (f.max_duty_cycle as number)} of the time`,
  },
  0x05: {
    name: 'RXParamSetupReq',
    len: 4,
    read: (b) => ({ rx1_dr_offset: (b[0]! >> 4) & 0x07, rx2_data_rate_index: b[0]! & 0x0f, rx2_frequency: freq(b, 1) }),
    say: (f) =>
      `RX parameters: RX1 DR offset ${String(f.rx1_dr_offset)}, RX2 DR${String(f.rx2_data_rate_index)} at ${mhz(f.rx2_frequency)}`,
  },
  0x06: ackOnly('DevStatusReq', 'Network asks for battery and link margin'),
  0x07: {
    name: 'NewChannelReq',
    len: 5,
    read: (b) => ({
      channel_index: b[0]!,
      frequency: freq(b, 1),
      max_data_rate_index: b[4]! >> 4,
      min_data_rate_index: b[4]! & 0x0f,
    }),
    say: (f) =>
      f.frequency === 0
        ? `Disable channel ${String(f.channel_index)}`
        : `New channel ${String(f.channel_index)}: ${mhz(f.frequency)}, DR${String(f.min_data_rate_index)}–DR${String(f.max_data_rate_index)}`,
  },
  0x08: {
    name: 'RXTimingSetupReq',
    len: 1,
    read: (b) => ({ delay: b[0]! & 0x0f }),
    say: (f) => `RX1 delay: ${Math.max(1, f.delay as number)} s`,
  },
  0x09: {
    name: 'TxParamSetupReq',
    len: 1,
    read: (b) => ({
      downlink_dwell_time: bit(b[0]!, 5),
      uplink_dwell_time: bit(b[0]!, 4),
      max_eirp_index: b[0]! & 0x0f,
    }),
    say: (f) => {
      const eirp = [8, 10, 12, 13, 14, 16, 18, 20, 21, 24, 26, 27, 29, 30, 33, 36][f.max_eirp_index as number];
      const dwell = (limited: unknown) => (limited ? '400 ms' : 'no limit');
      return `TX parameters: max EIRP ${eirp} dBm, uplink dwell time ${dwell(f.uplink_dwell_time)}, downlink dwell time ${dwell(f.downlink_dwell_time)}`;
    },
  },
  0x0a: {
    name: 'DlChannelReq',
    len: 4,
    read: (b) => ({ channel_index: b[0]!, frequency: freq(b, 1) }),
    say: (f) => `Downlink (RX1) frequency of channel ${String(f.channel_index)}: ${mhz(f.frequency)}`,
  },
  0x0b: {
    name: 'RekeyConf',
    len: 1,
    read: (b) => ({ minor_version: b[0]! & 0x0f }),
    say: (f) => `New session keys confirmed, LoRaWAN 1.${f.minor_version}`,
  },
  0x0c: {
    name: 'ADRParamSetupReq',
    len: 1,
    read: (b) => ({ adr_ack_limit_exponent: b[0]! >> 4, adr_ack_delay_exponent: b[0]! & 0x0f }),
    say: (f) =>
      `ADR ACK limit ${2 ** (f.adr_ack_limit_exponent as number)} frames, delay ${2 ** (f.adr_ack_delay_exponent as number)} frames`,
  },
  0x0d: {
    name: 'DeviceTimeAns',
    len: 5,
    read: (b) => ({ gps_seconds: b.readUInt32LE(0), fraction_256: b[4]! }),
    say: (f) => {
      // GPS epoch 1980-01-06; the leap seconds since then are left to the reader (18 s since 2017).
      const ms =
        Date.UTC(1980, 0, 6) + (f.gps_seconds as number) * 1000 + Math.round(((f.fraction_256 as number) / 256) * 1000);
      return `Network time: GPS ${String(f.gps_seconds)} s + ${String(f.fraction_256)}/256 (≈ ${new Date(ms - 18_000).toISOString()} UTC)`;
    },
  },
  0x0e: {
    name: 'ForceRejoinReq',
    len: 2,
    // As The Things Stack encodes it (pkg/encoding/lorawan mac_test.go: 3F 2D = period 7, retries 7, type 2, DR13):
    // the first byte holds Period (5:3) and Max_Retries (2:0), the second RejoinType (6:4) and DR (3:0).
    read: (b) => ({
      period_exponent: (b[0]! >> 3) & 0x07,
      max_retries: b[0]! & 0x07,
      rejoin_type: (b[1]! >> 4) & 0x07,
      data_rate_index: b[1]! & 0x0f,
    }),
    say: (f) => {
      const periodS = 32 * 2 ** (f.period_exponent as number);
      const retries = `up to ${String(f.max_retries)} retries every ${periodS} s or more`;
      return `Force rejoin: type ${String(f.rejoin_type)} at DR${String(f.data_rate_index)}, ${retries}`;
    },
  },
  0x0f: {
    name: 'RejoinParamSetupReq',
    len: 1,
    read: (b) => ({ max_time_exponent: b[0]! >> 4, max_count_exponent: b[0]! & 0x0f }),
    say: (f) =>
      `Rejoin request at least every 2^${(f.max_time_exponent as number) + 10} s or every 2^${(f.max_count_exponent as number) + 4} uplinks`,
  },
  0x10: ackOnly('PingSlotInfoAns', 'Ping slot periodicity accepted'),
  0x11: {
    name: 'PingSlotChannelReq',
    len: 4,
    read: (b) => ({ frequency: freq(b, 0), data_rate_index: b[3]! & 0x0f }),
    say: (f) =>
      `Ping slot channel: ${f.frequency === 0 ? 'default frequency' : mhz(f.frequency)}, DR${String(f.data_rate_index)}`,
  },
  0x12: {
    name: 'BeaconTimingAns',
    len: 3,
    read: (b) => ({ delay: b.readUInt16LE(0), channel_index: b[2]! }),
    say: (f) =>
      `Next beacon in ${(30 * (f.delay as number)) / 1000} s on channel ${String(f.channel_index)} (deprecated)`,
  },
  0x13: {
    name: 'BeaconFreqReq',
    len: 3,
    read: (b) => ({ frequency: freq(b, 0) }),
    say: (f) => `Beacon frequency: ${f.frequency === 0 ? 'default' : mhz(f.frequency)}`,
  },
  0x20: {
    name: 'DeviceModeConf',
    len: 1,
    read: (b) => ({ class: ['A', 'RFU', 'C'][b[0]!] ?? 'RFU' }),
    say: (f) => `Class ${String(f.class)} confirmed`,
  },
};

/**
 * FilterListReq's payload length: a little-endian 16-bit field whose bits 4:0 give the length of the
 * EUI filter after it (TS011; Semtech's LoRa Basics Modem relay parser reads it so, and refuses over 16).
 */
const filterListLength = (b: Buffer) => (b.length < 2 ? 2 : 2 + (b[0]! & 0x1f));

/** Relay commands (TS011): named, with their length, so the commands after them still parse. */
const RELAY_UP: Record<number, [string, number]> = {
  0x40: ['RelayConfAns', 1],
  0x41: ['EndDeviceConfAns', 1],
  0x42: ['FilterListAns', 1],
  0x43: ['UpdateUplinkListAns', 0],
  0x44: ['CtrlUplinkListAns', 5],
  0x45: ['ConfigureFwdLimitAns', 0],
  0x46: ['NotifyNewEndDeviceReq', 6],
};
const RELAY_DOWN: Record<number, [string, number | ((payload: Buffer) => number)]> = {
  0x40: ['RelayConfReq', 5],
  0x41: ['EndDeviceConfReq', 6],
  0x42: ['FilterListReq', filterListLength],
  0x43: ['UpdateUplinkListReq', 26],
  0x44: ['CtrlUplinkListReq', 1],
  0x45: ['ConfigureFwdLimitReq', 5],
};

/**
 * Read a run of MAC commands (FOpts, or a port-0 FRMPayload). Stops at an unknown CID or a command cut
 * short, since the length of what follows is then unknown; `problem` says why.
 */
export function parseMacCommands(bytes: Buffer, uplink: boolean): { commands: MacCommand[]; problem?: string } {
  const table = uplink ? UPLINK : DOWNLINK;
  const relay = uplink ? RELAY_UP : RELAY_DOWN;
  const commands: MacCommand[] = [];
  let i = 0;
  while (i < bytes.length) {
    const cid = bytes[i]!;
    const def = table[cid];
    const r = relay[cid];
    if (!def && !r) {
      const hex = bytes.subarray(i).toString('hex').toUpperCase();
      return {
        commands,
        problem: `Unknown MAC command 0x${cid.toString(16).toUpperCase().padStart(2, '0')} (${uplink ? 'uplink' : 'downlink'}): ${hex} left unread`,
      };
    }
    const rl = r?.[1];
    const len = def ? def.len : typeof rl === 'function' ? rl(bytes.subarray(i + 1)) : rl!;
    const name = def ? def.name : r![0];
    if (i + 1 + len > bytes.length)
      return { commands, problem: `${name} needs ${len} bytes after its CID but only ${bytes.length - i - 1} remain` };
    const payload = bytes.subarray(i + 1, i + 1 + len);
    const fields = def?.read
      ? def.read(payload)
      : len > 0
        ? { payload_hex: payload.toString('hex').toUpperCase() }
        : {};
    const text = def ? def.say(fields) : `${name} (relay, TS011)`;
    commands.push({ cid, name, text, length: 1 + len, ...fields });
    i += 1 + len;
  }
  return { commands };
}
