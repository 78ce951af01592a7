/**
 * `event-desk decode` as a script runs it: the JSON object of #18 on stdout, notes on stderr, exit codes.
 * Frames: the corpus's MuMo v2 uplink (FOpts answers), TTS's join-accept vector (pkg/crypto
 * join_messages_test.go), and a stack uplink signed with the stack's keys for a seed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli } from '../../helpers/cli.js';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import {
  encodeJoinAccept,
  encodeJoinRequest,
  stackAppKey,
  stackNwkKey,
  STACK_JOIN_EUI,
  STACK_NET_ID,
} from '../../../src-main/core/stack/device-keys.js';

const DEV_EUI = '70B3D57ED0000003';

const dir = mkdtempSync(path.join(os.tmpdir(), 'frames-cli-'));
const keysFile = (keys: object) => {
  const f = path.join(dir, `keys-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, JSON.stringify(keys));
  return f;
};
async function decode(args: string[]) {
  const run = startCli(['decode', ...args]);
  const code = await run.exited;
  return { code, out: run.stdout(), err: run.stderr() };
}

describe('event-desk decode', () => {
  it("prints the frame as one JSON object with the issue's fields, MAC commands in words", async () => {
    const r = await decode(['--phy', 'QBvHCyYNAgAFBwcDBwMHAwcDBwMICNKiK1EJoMDnGIBMvn1N']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual([
      'mtype',
      'major',
      'dev_addr',
      'f_ctrl',
      'f_cnt',
      'full_f_cnt',
      'f_port',
      'f_opts',
      'frm_payload_hex',
      'mic',
    ]);
    expect(j).toMatchObject({
      mtype: 'UNCONFIRMED_UP',
      dev_addr: '260BC71B',
      f_cnt: 2,
      f_port: 8,
      mic: 'unchecked',
      f_ctrl: { adr: false, f_opts_len: 13 },
    });
    expect(j.f_opts[0]).toMatchObject({ cid: 5, name: 'RXParamSetupAns', channel_ack: true });
    expect(r.err).toMatch(/MIC unchecked: No NwkSKey/);
  });

  it("with the stack's keys from a file: MIC valid, payload decrypted, and a warning about key files", async () => {
    const s = new Scenario({ devices: 1, gateways: 1, seed: 3 }, () => Date.parse('2026-01-01T00:00:00Z'));
    s.flow('join');
    const up = s.flow('uplink').map((e) => JSON.parse(e.json));
    const raw = up.find((e) => e.name === 'ns.up.data.receive').data.raw_payload as string;
    const clear = Buffer.from(up.find((e) => e.name === 'as.up.data.forward').data.uplink_message.frm_payload, 'base64')
      .toString('hex')
      .toUpperCase();
    const keys = s.keysOf(s.devices[0]!);
    const hex = Buffer.from(raw, 'base64').toString('hex');
    const r = await decode(['--phy', hex, '--keys', keysFile(keys)]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ mic: 'valid', frm_payload_hex: clear });
    expect(r.err).toMatch(/keys in a file are unsafe/);
    expect(r.err).not.toContain(keys.nwk_s_key);
    const wrong = await decode(['--phy', raw, '--keys', keysFile({ ...keys, nwk_s_key: '00'.repeat(16) })]);
    expect(JSON.parse(wrong.out).mic).toBe('invalid');
  });

  it("a 1.0.x device's keys under TTS's names (the NwkSKey as FNwkSIntKey): MIC valid, and said so", async () => {
    const phy = '400403020180070001aabb6d998b16';
    const n = '55'.repeat(16);
    const tts = await decode([
      '--phy',
      phy,
      '--keys',
      keysFile({ f_nwk_s_int_key: n, s_nwk_s_int_key: n, nwk_s_enc_key: n }),
    ]);
    expect(JSON.parse(tts.out).mic).toBe('valid');
    expect(tts.err).toMatch(/valid as LoRaWAN 1\.0\.x \(TTS stores the NwkSKey as FNwkSIntKey\)/i);
    const plain = await decode(['--phy', phy, '--keys', keysFile({ nwk_s_key: n })]);
    expect(JSON.parse(plain.out).mic).toBe('valid');
    // Another key is still wrong under either reading.
    const o = '66'.repeat(16);
    const wrong = await decode(['--phy', phy, '--keys', keysFile({ f_nwk_s_int_key: o, s_nwk_s_int_key: o })]);
    expect(JSON.parse(wrong.out).mic).toBe('invalid');
    expect(wrong.err).toMatch(/also tried as LoRaWAN 1\.0\.x/i);
  });
  it('a join-accept decrypted with the root key (TTS vector)', async () => {
    const r = await decode([
      '--phy',
      '20c9fbb259e11649096a568a9e3b7117c3',
      '--keys',
      keysFile({ app_key: '01'.repeat(16) }),
    ]);
    expect(JSON.parse(r.out)).toMatchObject({
      mtype: 'JOIN_ACCEPT',
      mic: 'valid',
      join_accept: { decrypted: true, verified: true, dev_addr: '01020304', net_id: '010203', join_nonce: '010203' },
    });
  });

  it('a 1.1 join-accept (OptNeg) is verified only with --join-request, the request it answers', async () => {
    const nwkKey = stackNwkKey(4, DEV_EUI);
    const request = encodeJoinRequest(nwkKey, STACK_JOIN_EUI, DEV_EUI, 2);
    const accept = encodeJoinAccept(nwkKey, 2, STACK_NET_ID, '260B0003', 3, 5, [867_100_000], {
      joinEui: STACK_JOIN_EUI,
      devEui: DEV_EUI,
      devNonce: 2,
    });
    const keys = keysFile({ nwk_key: nwkKey.toString('hex'), app_key: stackAppKey(4, DEV_EUI).toString('hex') });
    const blind = await decode(['--phy', accept.toString('hex'), '--keys', keys]);
    expect(JSON.parse(blind.out)).toMatchObject({ mic: 'unchecked', join_accept: { verified: false } });
    expect(blind.err).toMatch(/join-request/);
    const proven = await decode([
      '--phy',
      accept.toString('base64'),
      '--keys',
      keys,
      '--join-request',
      request.toString('base64'),
    ]);
    expect(proven.code).toBe(0);
    expect(JSON.parse(proven.out)).toMatchObject({
      mic: 'valid',
      join_accept: { verified: true, dev_addr: '260B0003', dl_settings: { opt_neg: true } },
    });
    // The request of another join (another DevNonce) does not prove it.
    const other = encodeJoinRequest(nwkKey, STACK_JOIN_EUI, DEV_EUI, 3).toString('hex');
    const wrong = await decode(['--phy', accept.toString('hex'), '--keys', keys, '--join-request', other]);
    expect(JSON.parse(wrong.out)).toMatchObject({ mic: 'invalid', join_accept: { verified: false } });
    // A wrong paste is said, with exit code 2: not a join-request, or not a join-accept to go with.
    const notRequest = await decode(['--phy', accept.toString('hex'), '--join-request', accept.toString('hex')]);
    expect(notRequest.code).toBe(2);
    expect(notRequest.err).toMatch(/--join-request is not a join-request/);
    const notAccept = await decode(['--phy', request.toString('hex'), '--join-request', request.toString('hex')]);
    expect(notAccept.code).toBe(2);
    expect(notAccept.err).toMatch(/goes with a join-accept/);
  });

  it('refuses what is not a frame or not a key, with exit code 2', async () => {
    expect((await decode(['--phy', 'not a frame!'])).code).toBe(2);
    expect((await decode([])).code).toBe(2);
    const bad = await decode(['--phy', 'QBvHCyYAAQAIJdfn+Tr1QoYMxzpftcA=', '--keys', keysFile({ nwk_s_key: '1234' })]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/32 hex digits/);
    expect((await decode(['--phy', 'QBvHCyYAAQAIJdfn+Tr1QoYMxzpftcA=', '--f-cnt-msb', '70000'])).code).toBe(2);
    // Hex with a digit left out is a typo, not base64 without its padding.
    const typo = await decode(['--phy', '403E5D0B26800100010203A']);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/neither hex .* nor base64/);
    // A keys file that is not there: the reason, and no warning about keys in files that hold none.
    const missing = await decode(['--phy', 'QBvHCyYAAQAIJdfn+Tr1QoYMxzpftcA=', '--keys', '/nonexistent/keys.json']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/Cannot read the keys file: ENOENT/);
    expect(missing.err).not.toMatch(/unsafe/);
  });

  it('a frame too short for its type: what could be read, the reason, and exit code 2', async () => {
    for (const phy of ['40', '0x4034120B', 'AAECAwQ=' /* a join-request of 5 bytes */]) {
      const r = await decode(['--phy', phy]);
      expect(r.code, phy).toBe(2);
      expect(JSON.parse(r.out).mic).toBe('unchecked');
      expect(r.err).toMatch(/has at least 12 bytes|has 23 bytes/);
    }
  });

  it('base64 without its padding, and the 32-bit counter from --f-cnt-msb', async () => {
    const padded = await decode(['--phy', 'QBvHCyYNAgAFBwcDBwMHAwcDBwMICNKiK1EJoMDnGIBMvn1N']);
    const unpadded = await decode(['--phy', 'QD5dCyaAAQABG4GIUJKNpQ']);
    expect(unpadded.code, unpadded.err).toBe(0);
    expect(JSON.parse(unpadded.out)).toMatchObject({ mtype: 'UNCONFIRMED_UP', f_cnt: 1 });
    expect(JSON.parse(padded.out).full_f_cnt).toBe(2);
    const msb = await decode(['--phy', 'QBvHCyYNAgAFBwcDBwMHAwcDBwMICNKiK1EJoMDnGIBMvn1N', '--f-cnt-msb', '1']);
    expect(JSON.parse(msb.out)).toMatchObject({ f_cnt: 2, full_f_cnt: 65_538 });
  });
});
