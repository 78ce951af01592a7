/**
 * A fully redacted support bundle of a capture with LoRaWAN relays (v3.28.1+): the relay end device named in
 * a reception's `relay.device_id` gets the pseudonym that device's own events get, in free text too from the
 * first line on, while the Network Server's pseudo-gateway `relay` and its messages about relays stay
 * readable. The capture is a file opened on the desk, exported as a user does.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src-main/core/app-core.js';
import { ScriptedDialogs } from '../../../src-main/core/services/dialogs.js';
import { FULL_REDACTION } from '../../../src-main/shared/export/redact.js';
import type { JobProgress } from '../../../src-main/shared/export/types.js';
import { RecordingSink } from '../../helpers/recording-sink.js';
import { waitFor } from '../../helpers/session.js';
import { testCore } from '../../helpers/core.js';
import { relayedForward } from '../../helpers/relayed-uplink.js';

type Json = Record<string, any>;

const app = { application_ids: { application_id: 'relay-app' } };

/**
 * A webhook failing before any reception names relay-8, a relay with no event of its own in the capture: only
 * the index's entries (their receivers) know it by then.
 */
const webhookFail = {
  name: 'as.webhook.fail',
  time: '2026-03-01T09:59:59.100000000Z',
  identifiers: [{ device_ids: { device_id: 'behind-7', ...app } }],
  unique_id: '01RELAYHOOK',
  data: {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
    namespace: 'pkg/applicationserver/io/web',
    name: 'request',
    message_format: 'request to https://hooks.example.com/relays/relay-8 failed',
  },
};

/** The relay's own event: the Network Server dropped a message it forwarded (networkserver/relay.go). */
const relayDrop = {
  name: 'ns.up.relay.drop',
  time: '2026-03-01T10:05:00.100000000Z',
  identifiers: [{ device_ids: { device_id: 'relay-7', ...app, dev_eui: '70B3D57ED0000007' } }],
  unique_id: '01RELAYDROP',
  data: {
    '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
    namespace: 'pkg/networkserver',
    name: 'relay_session',
    message_format: 'relay session not found',
    code: 5,
  },
};

describe('a fully redacted support bundle with LoRaWAN relays', () => {
  let core: Core;
  let dir: string;
  const sink = new RecordingSink();
  const dialogs = new ScriptedDialogs();
  let out: Json[] = [];
  let text = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'desk-relay-redaction-'));
    const lines = [
      webhookFail,
      relayedForward({ device: 'behind-7', relay: 'relay-7', fCnt: 1, atS: 1, application: 'relay-app' }),
      relayedForward({ device: 'behind-8', relay: 'relay-8', fCnt: 1, atS: 2, application: 'relay-app' }),
      relayedForward({ device: 'behind-7', relay: 'relay-7', fCnt: 2, atS: 61, application: 'relay-app' }),
      relayDrop,
    ];
    writeFileSync(path.join(dir, 'relays.ndjson'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    core = await testCore(dir, { sink, dialogs });
    dialogs.opens.push(path.join(dir, 'relays.ndjson'));
    const opened = await core.handlers['import:open']('cap');
    if (!opened.ok || !opened.value) throw new Error(opened.ok ? 'not opened' : opened.error.message);
    await waitFor(() => core.index.retained('cap') >= lines.length, 'file read');

    const file = path.join(dir, 'bundle.ndjson');
    dialogs.saves.push(file);
    const r = await core.handlers['export:start']({
      workspaceId: 'cap',
      workspaceName: 'relays',
      scope: { kind: 'workspace' },
      format: 'bundle',
      redaction: FULL_REDACTION,
      displayUtc: true,
    });
    if (!r.ok || !r.value) throw new Error('export did not start');
    const jobId = r.value.jobId;
    const done = (m: { channel: string; payload: unknown }) =>
      m.channel === 'jobs:progress' &&
      (m.payload as JobProgress).jobId === jobId &&
      (m.payload as JobProgress).state !== 'running';
    await waitFor(() => sink.all.some(done), 'export done');
    expect((sink.all.find(done)!.payload as JobProgress).state).toBe('done');
    text = readFileSync(file, 'utf8');
    out = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json)
      .filter((e) => typeof e.name === 'string');
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const forwards = () => out.filter((e) => e.name === 'as.up.data.forward');
  const relayOf = (e: Json) => e.data.uplink_message.rx_metadata[0].relay.device_id as string;

  it('has every event', () => expect(out.map((e) => e.name)).toContain('ns.up.relay.drop'));

  it('gives the relay device the pseudonym of its own events, and names it nowhere', () => {
    const own = out.find((e) => e.name === 'ns.up.relay.drop')!.identifiers[0].device_ids.device_id as string;
    expect(own).toMatch(/^device-[0-9a-f]{10}$/);
    expect(forwards().map(relayOf)).toEqual([own, expect.stringMatching(/^device-[0-9a-f]{10}$/), own]);
    expect(relayOf(forwards()[1]!)).not.toBe(own);
    for (const id of ['relay-7', 'relay-8']) expect(text.includes(id), `${id} is in the file`).toBe(false);
  });

  it('scrubs a relay device from free text before any reception names it', () => {
    expect(out.find((e) => e.name === 'as.webhook.fail')!.data.message_format).toBe(
      `request to https://hooks.example.com/relays/${relayOf(forwards()[1]!)} failed`,
    );
  });

  it("keeps the Network Server's pseudo-gateway relay and its words about relays", () => {
    for (const e of forwards()) expect(e.data.uplink_message.rx_metadata[0].gateway_ids.gateway_id).toBe('relay');
    expect(out.find((e) => e.name === 'ns.up.relay.drop')!.data.message_format).toBe('relay session not found');
  });
});
