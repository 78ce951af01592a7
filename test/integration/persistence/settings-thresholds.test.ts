/**
 * The radio colour thresholds have one owner, main's settings.json (#16): saved with retention, checked
 * for range and order with a sentence, and read back field by field; those an earlier version kept in
 * preferences.json move there once.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SettingsStore, checkThresholds } from '../../../src-main/core/services/settings-store.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../src-main/shared/health/thresholds.js';
import { INVOKE_VALIDATORS } from '../../../src-main/shared/ipc/validate.js';
import { testCore } from '../../helpers/core.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'event-desk-settings-'));
const mine: Thresholds = { rssi: { good: -100, bad: -118 }, snr: { good: -5, bad: -12.5 }, sf: { fair: 10, bad: 12 } };

describe('settings.json thresholds', () => {
  it('start at the defaults, not marked as chosen, and are not written until someone chooses them', async () => {
    const d = dir();
    const store = new SettingsStore(d);
    const s = await store.load();
    expect(s.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(s.thresholdsSaved).toBe(false);
    const r = await store.update({ retention: { maxEvents: 50_000, maxBytes: 64 * 1024 * 1024 } });
    expect(r.ok).toBe(true);
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).not.toHaveProperty('thresholds');
  });

  it('keep both retention and thresholds when either changes, and come back after a restart', async () => {
    const d = dir();
    const store = new SettingsStore(d);
    await store.load();
    await store.update({ thresholds: mine });
    await store.update({ retention: { maxEvents: 50_000, maxBytes: 64 * 1024 * 1024 } });
    const again = await new SettingsStore(d).load();
    expect(again).toEqual({
      retention: { maxEvents: 50_000, maxBytes: 64 * 1024 * 1024 },
      thresholds: mine,
      thresholdsSaved: true,
    });
  });

  it('refuse values out of range or in the wrong order, saying which', () => {
    const bad = (t: Partial<Thresholds>) => {
      const r = checkThresholds({ ...mine, ...t });
      return r.ok ? 'accepted' : r.error.message;
    };
    expect(bad({ rssi: { good: 100, bad: -120 } })).toBe('RSSI “good” must be a number from -200 to 50.');
    expect(bad({ rssi: { good: -125, bad: -120 } })).toBe('RSSI: “good from” must not be below “bad below”.');
    expect(bad({ snr: { good: -5, bad: Number.NaN } })).toBe('SNR “bad” must be a number from -40 to 40.');
    expect(bad({ sf: { fair: 12, bad: 10 } })).toBe('Spreading factor: “bad from” must not be below “fair from”.');
    expect(bad({ rssi: { good: -110, bad: -110 } })).toBe('accepted');
  });

  it('a broken value in the file is reported, its defaults apply, and the rest is kept', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'settings.json'),
      JSON.stringify({
        schemaVersion: 1,
        retention: { maxEvents: 50_000, maxBytes: 64 * 1024 * 1024 },
        thresholds: { rssi: { good: 'loud', bad: -120 } },
      }),
    );
    const logs: string[] = [];
    const s = await new SettingsStore(d).load((m) => logs.push(m));
    expect(s.retention.maxEvents).toBe(50_000);
    expect(s.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(logs.join('\n')).toMatch(/settings\.json: thresholds: RSSI “good” must be a number/);
    expect(readdirSync(d).some((n) => n.startsWith('settings.before-repair-'))).toBe(true);
  });

  it('the IPC contract takes only three groups of finite numbers', () => {
    const v = INVOKE_VALIDATORS['settings:set-thresholds'];
    expect(v([mine])).toBe(true);
    expect(v([{ ...mine, extra: 1 }])).toBe(false);
    expect(v([{ ...mine, rssi: { good: '1', bad: 2 } }])).toBe(false);
    expect(v([{ ...mine, sf: { fair: Infinity, bad: 12 } }])).toBe(false);
    expect(v([])).toBe(false);
  });
});

describe('thresholds an earlier version kept in preferences.json', () => {
  const start = async (dataDir: string) => {
    return testCore(dataDir);
  };

  it('move to the settings once at startup (their "poor" becomes "bad below"), and never over chosen ones', async () => {
    const d = dir();
    writeFileSync(
      path.join(d, 'preferences.json'),
      JSON.stringify({ schemaVersion: 1, theme: 'dark', rssi: { good: -95, poor: -118 }, snr: { good: 2, poor: -9 } }),
    );
    const core = await start(d);
    try {
      const s = await new SettingsStore(d).load();
      expect(s.thresholdsSaved).toBe(true);
      expect(s.thresholds).toEqual({
        rssi: { good: -95, bad: -118 },
        snr: { good: 2, bad: -9 },
        sf: DEFAULT_THRESHOLDS.sf,
      });
    } finally {
      await core.dispose();
    }

    // Chosen later in Settings: a restart with the old file still there does not bring the old values back.
    const store = new SettingsStore(d);
    await store.load();
    await store.update({ thresholds: mine });
    const again = await start(d);
    try {
      expect((await new SettingsStore(d).load()).thresholds).toEqual(mine);
    } finally {
      await again.dispose();
    }
  });

  it('a preferences file without them, or with a pair in the wrong order, changes nothing', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'preferences.json'), JSON.stringify({ rssi: { good: -120, poor: -100 } }));
    const core = await start(d);
    try {
      const s = await new SettingsStore(d).load();
      expect(s.thresholdsSaved).toBe(false);
      expect(s.thresholds).toEqual(DEFAULT_THRESHOLDS);
    } finally {
      await core.dispose();
    }
  });
});
