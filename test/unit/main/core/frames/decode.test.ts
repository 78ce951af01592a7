/**
 * Frame decoding: MAC commands against The Things Stack's encoding tests
 * (pkg/encoding/lorawan/mac_test.go), real frames from the public corpus (test/fixtures/real/) checked
 * against the server's own parsed fields in the same events, and key use (MIC verdicts, decryption,
 * FCnt roll-over) on frames whose crypto primitives are tested against TTS vectors in crypto.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMacCommands } from '../../../../../src-main/core/frames/mac-commands.js';
import { decodeFrame } from '../../../../../src-main/core/frames/decode.js';
import { wire } from '../../../../../src-main/core/frames/frame-bytes.js';
import { serverDisagreements } from '../../../../../src-main/core/frames/server-view.js';
import { cipherPayload, dataMic10, uplinkMic11 } from '../../../../../src-main/core/frames/crypto.js';

const h = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('MAC commands (TTS mac_test.go encodings)', () => {
  const one = (bytes: string, uplink: boolean) => {
    const r = parseMacCommands(h(bytes), uplink);
    expect(r.problem).toBeUndefined();
    expect(r.commands).toHaveLength(1);
    return r.commands[0]!;
  };
  it('LinkADRReq: data rate, TX power, channel mask, NbTrans', () => {
    const c = one('03 52 04 02 11', false);
    expect(c).toMatchObject({
      name: 'LinkADRReq',
      data_rate_index: 5,
      tx_power_index: 2,
      channel_mask: 0x0204,
      channel_mask_control: 1,
      nb_trans: 1,
    });
    expect(c.text).toContain('DR5');
  });
  it('LinkADRReq: NbTrans 0 and ChMaskCntl 6 in words that hold for every version and region', () => {
    // DR5, TX power 2, mask 0x0007, ChMaskCntl 6, NbTrans 0.
    const text = one('03 52 07 00 60', false).text;
    expect(text).toMatch(/NbTrans 0 \(1\.0\.3\/1\.0\.4: default, 1; 1\.1: unchanged\)/);
    expect(text).toMatch(/all channels on \(EU868 and alike\)/);
    expect(text).toMatch(/all 125 kHz channels on and channels 64–71 by the mask: 64–66 \(US915, AU915\)/);
  });
  it('frequencies to 100 Hz: 865.0625 MHz is not rounded to 865.1', () => {
    // NewChannelReq, channel 3, 865.0625 MHz (8650625 × 100 Hz), DR 0–5.
    expect(one('07 03 81 ff 83 50', false).text).toContain('865.0625 MHz');
    expect(one('07 03 28 76 84 50', false).text).toContain('868.1 MHz');
  });
  it('LinkADRAns with every acceptance bit, and a rejection in words', () => {
    expect(one('03 07', true)).toMatchObject({
      name: 'LinkADRAns',
      power_ack: true,
      data_rate_ack: true,
      channel_mask_ack: true,
    });
    expect(one('03 06', true).text).toContain('channel mask REJECTED');
  });
  it('RXParamSetupReq/Ans', () => {
    expect(one('05 5c 42 ff ff', false)).toMatchObject({
      name: 'RXParamSetupReq',
      rx1_dr_offset: 5,
      rx2_data_rate_index: 12,
      rx2_frequency: 1677702600,
    });
    expect(one('05 05', true)).toMatchObject({ rx2_data_rate_ack: false, rx1_dr_offset_ack: true, channel_ack: true });
  });
  it('DevStatusAns: battery, and the margin the spec defines beside the one TTS reads', () => {
    const c = one('06 42 2f', true);
    // TTS encodes -16 as 0x2F (sign bit + one's complement); as the spec's 6-bit two's complement it is -17.
    expect(c).toMatchObject({ name: 'DevStatusAns', battery: 0x42, margin: -17, tts_margin: -16 });
    expect(c.text).toMatch(/battery 26 %/);
  });
  it('NewChannelReq/Ans, DlChannelReq/Ans, DutyCycleReq, RXTimingSetupReq, TxParamSetupReq', () => {
    expect(one('07 0f ff ff 42 42', false)).toMatchObject({
      channel_index: 15,
      frequency: 0x42ffff * 100,
      max_data_rate_index: 4,
      min_data_rate_index: 2,
    });
    expect(one('07 0f 00 00 00 42', false).text).toBe('Disable channel 15');
    expect(one('07 02', true)).toMatchObject({ data_rate_ack: true, frequency_ack: false });
    expect(one('0a 04 ff ff 42', false)).toMatchObject({
      name: 'DlChannelReq',
      channel_index: 4,
      frequency: 0x42ffff * 100,
    });
    expect(one('0a 02', true)).toMatchObject({
      name: 'DlChannelAns',
      uplink_frequency_exists_ack: true,
      frequency_ack: false,
    });
    expect(one('04 0d', false)).toMatchObject({ name: 'DutyCycleReq', max_duty_cycle: 13 });
    expect(one('08 0f', false)).toMatchObject({ name: 'RXTimingSetupReq', delay: 15 });
    expect(one('09 2f', false)).toMatchObject({
      name: 'TxParamSetupReq',
      max_eirp_index: 15,
      uplink_dwell_time: false,
      downlink_dwell_time: true,
    });
  });
  it('DeviceTime, LinkCheck and the 1.1 commands (reset, rekey, ADR parameters, rejoin)', () => {
    expect(one('0d ff ff ff 42 42', false)).toMatchObject({
      name: 'DeviceTimeAns',
      gps_seconds: 0x42ffffff,
      fraction_256: 0x42,
    });
    expect(one('0d', true).name).toBe('DeviceTimeReq');
    expect(one('02 14 03', false)).toMatchObject({ name: 'LinkCheckAns', margin: 20, gateway_count: 3 });
    expect(one('01 01', true)).toMatchObject({ name: 'ResetInd', minor_version: 1 });
    expect(one('0b 01', true)).toMatchObject({ name: 'RekeyInd', minor_version: 1 });
    expect(one('0b 01', false).name).toBe('RekeyConf');
    expect(one('0c 42', false)).toMatchObject({
      name: 'ADRParamSetupReq',
      adr_ack_limit_exponent: 4,
      adr_ack_delay_exponent: 2,
    });
    expect(one('0e 3f 2d', false)).toMatchObject({
      name: 'ForceRejoinReq',
      max_retries: 7,
      period_exponent: 7,
      data_rate_index: 13,
      rejoin_type: 2,
    });
    expect(one('0f 42', false)).toMatchObject({
      name: 'RejoinParamSetupReq',
      max_time_exponent: 4,
      max_count_exponent: 2,
    });
    expect(one('0f 01', true)).toMatchObject({ name: 'RejoinParamSetupAns', max_time_exponent_ack: true });
    expect(one('20 02', false)).toMatchObject({ name: 'DeviceModeConf', class: 'C' });
  });
  it('FilterListReq (relay, downlink): its 2 bytes and the EUI filter they announce, nothing invented after', () => {
    const only = parseMacCommands(h('42 20 00'), false);
    expect(only.problem).toBeUndefined();
    expect(only.commands.map((c) => [c.name, c.length])).toEqual([['FilterListReq', 3]]);
    // Bits 4:0 announce a 1-byte filter: the command is 4 bytes, then DeviceModeConf.
    const two = parseMacCommands(h('42 01 00 aa 20 02'), false);
    expect(two.commands.map((c) => [c.name, c.length])).toEqual([
      ['FilterListReq', 4],
      ['DeviceModeConf', 2],
    ]);
    const cut = parseMacCommands(h('42 05 00 aa'), false);
    expect(cut.commands).toEqual([]);
    expect(cut.problem).toMatch(/FilterListReq needs 7 bytes/);
  });
  it('stops at an unknown command and says what is left', () => {
    const r = parseMacCommands(h('02 7f 01'), true);
    expect(r.commands.map((c) => c.name)).toEqual(['LinkCheckReq']);
    expect(r.problem).toMatch(/Unknown MAC command 0x7F .*7F01/);
  });
});

/** Every event of the real corpus that carries a raw frame and the server's parsed payload. */
function realFrames(): { file: string; name: string; raw: string; payload: unknown }[] {
  const dir = 'test/fixtures/real';
  const out: { file: string; name: string; raw: string; payload: unknown }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const doc = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as {
      events?: { name: string; data?: Record<string, unknown> }[];
    };
    for (const ev of doc.events ?? []) {
      const d = ev.data ?? {};
      for (const m of [d, d.message, d.uplink_message] as Record<string, unknown>[]) {
        if (m && typeof m.raw_payload === 'string' && m.payload)
          out.push({ file, name: ev.name, raw: m.raw_payload, payload: m.payload });
      }
    }
  }
  return out;
}

describe("real frames (test/fixtures/real) against the server's parsed fields", () => {
  const frames = realFrames();
  it('finds frames of several kinds in the corpus', () => {
    expect(frames.length).toBeGreaterThanOrEqual(15);
  });
  it('agrees with the server on message type, DevAddr, FCtrl, FCnt, FOpts, FPort, FRMPayload and MIC', () => {
    for (const f of frames) {
      const d = decodeFrame(Buffer.from(f.raw, 'base64'));
      expect(d.problems, `${f.file} ${f.name}`).toEqual([]);
      expect(serverDisagreements(d, f.payload), `${f.file} ${f.name}`).toEqual([]);
    }
  });
  it("reads a device's answers in FOpts (MuMo v2 node, TTN v3.30)", () => {
    const d = decodeFrame(Buffer.from('QBvHCyYNAgAFBwcDBwMHAwcDBwMICNKiK1EJoMDnGIBMvn1N', 'base64'));
    expect(d).toMatchObject({ mtype: 'UNCONFIRMED_UP', dev_addr: '260BC71B', f_cnt: 2, f_port: 8, mic: 'unchecked' });
    expect(d.f_opts!.map((c) => c.name)).toEqual([
      'RXParamSetupAns',
      'NewChannelAns',
      'NewChannelAns',
      'NewChannelAns',
      'NewChannelAns',
      'NewChannelAns',
      'RXTimingSetupAns',
    ]);
    expect(d.f_opts![0]).toMatchObject({ rx1_dr_offset_ack: true, rx2_data_rate_ack: true, channel_ack: true });
    expect(d.mic_reason).toMatch(/No NwkSKey/);
  });
  it('reads a join-request (TTS Console fixture of 2019)', () => {
    const d = decodeFrame(h('00080706050403020108070605040302013001004f67b1'));
    expect(d).toMatchObject({
      mtype: 'JOIN_REQUEST',
      join_request: { join_eui: '0102030405060708', dev_eui: '0102030405060708', dev_nonce: '0130' },
    });
  });
  it('says where the server disagrees', () => {
    const d = decodeFrame(Buffer.from('QBvHCyYAAQAIJdfn+Tr1QoYMxzpftcA=', 'base64'));
    const lines = serverDisagreements(d, {
      m_hdr: { m_type: 'UNCONFIRMED_UP' },
      mac_payload: { f_hdr: { dev_addr: '260BC71B', f_cnt: 2 }, f_port: 8 },
    });
    expect(lines).toEqual(['FCnt: the server says 2, the frame says 1']);
  });
});

describe('decoding with keys', () => {
  const nwkSKey = h('2B7E151628AED2A6ABF7158809CF4F3C');
  const appSKey = h('000102030405060708090A0B0C0D0E0F');
  const keys = { nwk_s_key: nwkSKey.toString('hex'), app_s_key: appSKey.toString('hex') };
  /** An uplink as a 1.0.x device sends it at a 32-bit counter (the primitives are checked in crypto.test.ts). */
  function uplink(fCnt32: number, plain: Buffer, fOpts = Buffer.alloc(0), port = 1): Buffer {
    const addr = wire('260B0001');
    const head = Buffer.concat([
      Buffer.from([0x40]),
      addr,
      Buffer.from([0x80 | fOpts.length, fCnt32 & 0xff, (fCnt32 >> 8) & 0xff]),
      fOpts,
      Buffer.from([port]),
    ]);
    const msg = Buffer.concat([head, cipherPayload(port === 0 ? nwkSKey : appSKey, true, addr, fCnt32, plain)]);
    return Buffer.concat([msg, dataMic10(nwkSKey, true, addr, fCnt32, msg)]);
  }
  it('checks the MIC and decrypts the payload', () => {
    const d = decodeFrame(uplink(7, h('CAFE01')), { keys });
    expect(d).toMatchObject({
      mic: 'valid',
      frm_payload_hex: 'CAFE01',
      frm_payload_decrypted: true,
      f_ctrl: { adr: true },
      full_f_cnt: 7,
    });
  });
  it('a wrong key gives an invalid MIC and says why', () => {
    const d = decodeFrame(uplink(7, h('CAFE01')), { keys: { ...keys, nwk_s_key: '00'.repeat(16) } });
    expect(d.mic).toBe('invalid');
    expect(d.mic_reason).toMatch(/wrong key/);
  });
  it("FCnt roll-over: the upper 16 bits come from the session's last counter or --f-cnt-msb", () => {
    const frame = uplink(0x10002, h('0102'));
    expect(decodeFrame(frame, { keys }).mic).toBe('invalid');
    const d = decodeFrame(frame, { keys, lastFCnt: 0xfffe });
    expect(d).toMatchObject({ mic: 'valid', f_cnt: 2, full_f_cnt: 0x10002, frm_payload_hex: '0102' });
    expect(decodeFrame(frame, { keys, fCntMsb: 1 }).mic).toBe('valid');
  });
  it('port 0: MAC commands decrypted with NwkSKey', () => {
    const d = decodeFrame(uplink(3, h('0307 06FF20'), Buffer.alloc(0), 0), { keys });
    expect(d.mic).toBe('valid');
    expect(d.mac_commands!.map((c) => c.name)).toEqual(['LinkADRAns', 'DevStatusAns']);
  });
  it('a join-accept decrypts with the root key (TTS vector) and its MIC checks', () => {
    const d = decodeFrame(h('20 c9fbb259e11649096a568a9e3b7117c3'), { keys: { app_key: '01'.repeat(16) } });
    expect(d).toMatchObject({
      mic: 'valid',
      join_accept: { decrypted: true, join_nonce: '010203', net_id: '010203', dev_addr: '01020304', rx_delay: 1 },
    });
    expect(decodeFrame(h('20 c9fbb259e11649096a568a9e3b7117c3'), { keys: { app_key: '02'.repeat(16) } }).mic).toBe(
      'invalid',
    );
  });
  it('a join-accept the key does not prove: not verified, and every field it read is marked unverified', () => {
    const labels = (d: ReturnType<typeof decodeFrame>) => d.fields.map((f) => f.label);
    const right = decodeFrame(h('20 c9fbb259e11649096a568a9e3b7117c3'), { keys: { app_key: '01'.repeat(16) } });
    expect(right.join_accept?.verified).toBe(true);
    expect(labels(right).join(' ')).not.toMatch(/unverified/);
    const wrong = decodeFrame(h('20 c9fbb259e11649096a568a9e3b7117c3'), { keys: { app_key: '02'.repeat(16) } });
    expect(wrong.join_accept).toMatchObject({ decrypted: true, verified: false });
    // A wrong key still "decrypts" to some DevAddr: it must not read as the device's.
    expect(wrong.join_accept?.dev_addr).not.toBe('01020304');
    expect(labels(wrong)).toEqual(
      expect.arrayContaining([
        'JoinNonce (unverified)',
        'NetID (unverified)',
        'DevAddr (unverified)',
        'DLSettings (unverified)',
        'RxDelay (unverified)',
      ]),
    );
    expect(decodeFrame(h('20 c9fbb259e11649096a568a9e3b7117c3')).join_accept).toEqual({
      decrypted: false,
      verified: false,
    });
  });
  it('1.1 FOpts decrypt with NwkSEncKey (TTS FOpts vector) and the F half of the MIC checks', () => {
    const ones = '01'.repeat(16);
    // TTS: FOpts 01020304 of DevAddr 01020304 uplink FCnt 1 encrypt to 23615F18.
    const addr = wire('01020304');
    const msg = Buffer.concat([h('40'), addr, h('04 0100'), h('23615f18'), h('01 aa')]);
    const frame = Buffer.concat([msg, uplinkMic11(Buffer.alloc(16, 1), Buffer.alloc(16, 1), 0, 0, 0, addr, 1, msg)]);
    const d = decodeFrame(frame, { keys: { f_nwk_s_int_key: ones, s_nwk_s_int_key: ones, nwk_s_enc_key: ones } });
    expect(d.fields.find((f) => f.name === 'fhdr.f_opts')!.value).toMatch(/^01020304 \(decrypted\)/);
    expect(d.mic).toBe('valid');
    expect(d.mic_reason).toMatch(/FNwkSIntKey half/);
  });
  it("1.1 FOpts are compared with the server's as sent (encrypted), not once decrypted", () => {
    const ones = '01'.repeat(16);
    const addr = wire('01020304');
    const msg = Buffer.concat([h('40'), addr, h('04 0100'), h('23615f18'), h('01 aa')]);
    const frame = Buffer.concat([msg, uplinkMic11(Buffer.alloc(16, 1), Buffer.alloc(16, 1), 0, 0, 0, addr, 1, msg)]);
    const d = decodeFrame(frame, { keys: { f_nwk_s_int_key: ones, s_nwk_s_int_key: ones, nwk_s_enc_key: ones } });
    // TTS's payload carries 1.1 FOpts as on the air (it decrypts a copy): pkg/networkserver/grpc_gsns.go.
    const server = (fOpts: string) => ({
      m_hdr: { m_type: 'UNCONFIRMED_UP' },
      mic: frame.subarray(-4).toString('base64'),
      mac_payload: { f_hdr: { dev_addr: '01020304', f_cnt: 1, f_opts: h(fOpts).toString('base64') }, f_port: 1 },
    });
    expect(serverDisagreements(d, server('23615f18'), frame)).toEqual([]);
    expect(serverDisagreements(d, server('23615f18'))).toEqual([]);
    expect(serverDisagreements(d, server('23615f19'), frame)).toEqual([
      'FOpts: the server says 23615F19, the frame says 23615F18',
    ]);
  });
  it('1.0 FOpts the decoder cannot read (unknown CID) still agree with the same bytes from the server', () => {
    const d = decodeFrame(uplink(7, h('CAFE01'), h('8001')), { keys });
    expect(d.problems.join(' ')).toMatch(/Unknown MAC command 0x80/);
    const lines = serverDisagreements(d, {
      m_hdr: { m_type: 'UNCONFIRMED_UP' },
      mic: Buffer.from(d.mic_hex!, 'hex').toString('base64'),
      mac_payload: {
        f_hdr: { dev_addr: '260B0001', f_cnt: 7, f_ctrl: { adr: true }, f_opts: h('8001').toString('base64') },
        f_port: 1,
      },
    });
    expect(lines).toEqual([]);
  });
});
