/**
 * The frames on the air of one flow, real: the uplink encrypted and signed with the device's session
 * keys, downlinks as the NS sends them, the join-request signed and the join-accept encrypted with the
 * root key. Their bytes go into the flow's template slots; the device's counters move on.
 */
import { FLOWS, type FlowTemplate } from './templates.js';
import { SLOT } from './variants.js';
import {
  encodeDataFrame,
  encodeJoinAccept,
  encodeJoinRequest,
  stackAppKey,
  stackNwkKey,
  STACK_JOIN_EUI,
  STACK_NET_ID,
} from './device-keys.js';
import { LINK_ADR_ANS_REJECT, LINK_ADR_REQ } from './frame-fields.js';
import type { Device, FlowKind } from './scenario.js';

/** The uplinks' data rate and channel (SF7BW125 = DR5 on 867.5 MHz, CFList channel 5), in 1.1 MICs. */
const UPLINK_DR = 5;
const UPLINK_CHANNEL = 5;

/** The join templates' network settings: RX2 DR3, RX1 delay 5 s, five extra EU868 channels. */
const JOIN_SETTINGS = {
  rx2Dr: 3,
  rxDelay: 5,
  cfList: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
};

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');

/** What the flow's events need to know about its frames. */
export interface FlowFrames {
  isUplink: boolean;
  isDownlink: boolean;
  isJoin: boolean;
  /**
   * FOpts of the uplink (a LinkADRAns) and of the downlink (a pending LinkADRReq), when any, as on the air:
   * a 1.1 device's encrypted, as TTS's parsed payloads carry them (it decrypts a copy to read them).
   */
  upFOpts: Buffer | undefined;
  downFOpts: Buffer | undefined;
  /** The downlink's counter (FCntDown, or AFCntDown in 1.1). */
  downFCnt: number;
}

export function encodeFlowFrames(
  kind: FlowKind,
  flow: FlowTemplate,
  device: Device,
  frm: string,
  seed: number,
  values: Array<string | undefined>,
): FlowFrames {
  const isUplink =
    kind === 'uplink' ||
    kind === 'packet-broker-uplink' ||
    kind === 'confirmed-uplink' ||
    kind === 'mac' ||
    kind === 'errors';
  // The frames on the air, real: the uplink encrypted and signed with the device's session keys, the
  // join-request signed and the join-accept encrypted with its AppKey. The parsed payloads of the NS
  // and GS events carry the same encrypted FRMPayload and MIC; the AS's carry the clear payload.
  // The device's answer to a LinkADRReq rides in its next uplink's FOpts.
  const upFOpts = isUplink && flow === FLOWS.macAnswer ? LINK_ADR_ANS_REJECT : undefined;
  let upAir: Buffer | undefined;
  if (isUplink) {
    const up = encodeDataFrame(
      kind === 'confirmed-uplink' ? 0x80 : 0x40,
      device.devAddr,
      device.fCnt,
      1,
      Buffer.from(frm, 'base64'),
      device.session,
      0x80,
      { ...(upFOpts ? { fOpts: upFOpts } : {}), txDr: UPLINK_DR, txCh: UPLINK_CHANNEL },
    );
    values[SLOT.UP_RAW] = up.phy.toString('base64');
    values[SLOT.UP_FRM] = up.frm.toString('base64');
    values[SLOT.UP_MIC] = up.mic.toString('base64');
    if (upFOpts) upAir = up.phy.subarray(8, 8 + upFOpts.length);
  }
  // Downlinks (an application downlink, the ack of a confirmed uplink) as the NS sends them. Their
  // counter is the one the templates' parsed payloads show (FCNT), so the events agree with the frame.
  const isDownlink = kind === 'downlink' || kind === 'confirmed-uplink';
  // A downlink counts on its own counter (FPort 15: AFCntDown in 1.1, FCntDown in 1.0.x), and carries a
  // pending LinkADRReq in FOpts; an ack signs the confirmed uplink's counter (1.1 ConfFCnt).
  const downFOpts = isDownlink && device.adrPending ? LINK_ADR_REQ : undefined;
  const downCounter = device.v11 ? 'a' : 'n';
  const downFCnt = device.down[downCounter];
  let downAir: Buffer | undefined;
  if (isDownlink) {
    const down = encodeDataFrame(
      0x60,
      device.devAddr,
      downFCnt,
      15,
      Buffer.from(frm, 'base64'),
      device.session,
      kind === 'confirmed-uplink' ? 0x20 : 0x00,
      { ...(downFOpts ? { fOpts: downFOpts } : {}), confFCnt: device.fCnt & 0xffff },
    );
    device.down[downCounter] += 1;
    device.adrPending = false;
    values[SLOT.DOWN_RAW] = down.phy.toString('base64');
    values[SLOT.DOWN_FRM] = down.frm.toString('base64');
    values[SLOT.DOWN_MIC] = down.mic.toString('base64');
    if (downFOpts) downAir = down.phy.subarray(8, 8 + downFOpts.length);
  }
  const isJoin = kind === 'join';
  if (isJoin) {
    values[SLOT.NONCE] = hex(device.joins, 4);
    // 1.1: the join-request is signed and the join-accept encrypted with NwkKey; OptNeg set, its MIC
    // over the join-request (JSIntKey).
    const rootKey = device.v11 ? stackNwkKey(seed, device.devEui) : stackAppKey(seed, device.devEui);
    const request = encodeJoinRequest(rootKey, STACK_JOIN_EUI, device.devEui, device.joins);
    const accept = encodeJoinAccept(
      rootKey,
      device.joins,
      STACK_NET_ID,
      device.devAddr,
      JOIN_SETTINGS.rx2Dr,
      JOIN_SETTINGS.rxDelay,
      JOIN_SETTINGS.cfList,
      device.v11 ? { joinEui: STACK_JOIN_EUI, devEui: device.devEui, devNonce: device.joins } : undefined,
    );
    values[SLOT.JOIN_REQUEST] = request.toString('base64');
    values[SLOT.JOIN_REQUEST_MIC] = `"mic":"${request.subarray(19).toString('base64')}"`;
    values[SLOT.JOIN_ACCEPT] = accept.toString('base64');
    values[SLOT.JOIN_ACCEPT_MIC] = `"mic":"${accept.subarray(accept.length - 4).toString('base64')}"`;
  }
  return { isUplink, isDownlink, isJoin, upFOpts: upAir, downFOpts: downAir, downFCnt };
}
