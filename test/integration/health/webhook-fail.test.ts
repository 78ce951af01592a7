/**
 * `as.webhook.fail` as lorawan-stack v3.32.1 publishes it (pkg/applicationserver/io/web/sink): the
 * built-in stack's `errors` flow emits one, and the network view's integration failures name the
 * webhook, the HTTP status and the response body from it, through the capture index.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Scenario } from '../../../src-main/core/stack/scenario.js';
import { CaptureIndex } from '../../../src-main/core/capture/capture-index.js';
import { HealthService } from '../../../src-main/core/health/health-service.js';
import type { TtsEvent } from '../../../src-main/shared/tts/types.js';

describe('webhook failures from the built-in stack', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'event-desk-webhook-'));
  const index = new CaptureIndex({ dir });
  afterAll(async () => {
    await index.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('groups them by webhook and status with the response body the event carries', async () => {
    const scenario = new Scenario({ devices: 2, gateways: 2, seed: 3 }, () => Date.parse('2026-01-01T00:00:00Z'));
    const device = scenario.devices[0]!;
    const events = [
      ...scenario.flow('join', device),
      ...scenario.flow('errors', device),
      ...scenario.flow('uplink', device),
      ...scenario.flow('errors', device),
    ];
    const fails = events.filter((e) => e.name === 'as.webhook.fail');
    expect(fails).toHaveLength(2);
    // The event names the device (the AS publishes it with the device's identifiers) and carries ErrorDetails.
    const sample = JSON.parse(fails[0]!.json) as TtsEvent;
    expect(sample.identifiers?.[0]?.device_ids?.device_id).toBe(device.deviceId);
    expect(sample.data).toMatchObject({ name: 'request', code: 14, attributes: { status_code: 503 } });

    const opened = await index.open('s1', 'w', 'import');
    if (!opened.ok) throw new Error(opened.error.message);
    for (const e of events) index.appendEvent('s1', e.json, JSON.parse(e.json) as TtsEvent);
    await index.written();
    const list = await new HealthService(index).list('w');
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.integrations).toEqual([
      expect.objectContaining({
        integration: 'webhook',
        target: 'demo-webhook',
        status: '503',
        count: 2,
        body: '{"error":"upstream database unavailable"}',
        applications: [device.appId],
      }),
    ]);
  });
});
