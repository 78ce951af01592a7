/**
 * `event-desk subscribe` run as a user runs it against the built-in stack (its demo key in TTS_KEY,
 * application demo-app), for the tests that need a capture, or a ClickHouse recording, made by the real
 * CLI; and the capture read back the app's way.
 */
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLine } from '../../src-main/core/capture/capture-index.js';
import type { StackHandle } from '../../src-main/core/stack/server.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';
import { startCli, type CliRun } from './cli.js';

/** `event-desk subscribe --server STACK --api-key-env TTS_KEY --application-id demo-app ARGS…`. */
export function startSubscribe(stack: Pick<StackHandle, 'url' | 'demoKey'>, args: string[]): CliRun {
  return startCli(
    ['subscribe', '--server', stack.url, '--api-key-env', 'TTS_KEY', '--application-id', 'demo-app', ...args],
    { env: { TTS_KEY: stack.demoKey } },
  );
}

/** `startSubscribe` run to completion. */
export async function runSubscribe(
  stack: Pick<StackHandle, 'url' | 'demoKey'>,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startSubscribe(stack, args);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/**
 * Record with the CLI: once the stream is open, `flows` flows twice, `pauseMs` apart (so the events cover
 * more than one second), until it printed more than `lines` events; then SIGINT, on which it exits 0.
 */
export async function recordBursts(
  stack: StackHandle,
  args: string[],
  /**
   * `spread`: uplinks also sent with their steps at realistic moments (about 220 ms from the gateway to the
   * application). A burst's flows are stamped within a millisecond or two, so without these no chain may
   * span two milliseconds, and a test that needs one (a window that cuts a chain) found none once in CI.
   */
  o: { flows: number; pauseMs: number; lines: number; spread?: number },
): Promise<void> {
  const cli = startSubscribe(stack, args);
  await cli.until(() => /Stream started/.test(cli.stderr()), 'the first connection', 90_000);
  stack.emitFlows(o.flows);
  const devices = stack.scenario.devices;
  for (let i = 0; i < (o.spread ?? 0); i++)
    stack.schedule(stack.scenario.flow('uplink', devices[i % devices.length], 2, true));
  await new Promise((r) => setTimeout(r, o.pauseMs));
  stack.emitFlows(o.flows);
  await cli.until(() => cli.lines().length > o.lines, 'events', 90_000);
  await new Promise((r) => setTimeout(r, 500));
  cli.child.kill('SIGINT');
  expect(await cli.exited).toBe(0);
}

export interface CapturedEvent {
  summary: EventSummary;
  uid: string;
  /** The line as stored. */
  raw: string;
}

/** The events of a capture file as the app reads them (`parseLine`, ids 1, 2, … in file order). */
export function capturedEvents(file: string, streamId: string): CapturedEvent[] {
  const out: CapturedEvent[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .forEach((raw, i) => {
      const summary = parseLine(raw, i + 1, streamId);
      if (summary?.kind !== 'event') return;
      out.push({ summary, uid: (JSON.parse(raw) as { unique_id: string }).unique_id, raw });
    });
  return out;
}

/** Each line of a capture file as JSON. */
export const captureLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

/** The `unique_id`s of a capture file's events, in file order. */
export const captureIds = (file: string) =>
  captureLines(file)
    .filter((o) => !o._eventDesk)
    .map((o) => o.unique_id as string);

/** A capture file's status entries, in file order. */
export const captureStatus = (file: string) =>
  captureLines(file)
    .map((o) => o._eventDesk)
    .filter(Boolean) as Array<{ kind: string; message: string; from?: string; to?: string }>;

/** Poll every 50 ms until `check` holds; the error names `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
