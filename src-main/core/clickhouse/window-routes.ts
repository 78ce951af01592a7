/**
 * The IPC channels a ClickHouse-backed workspace answers from ClickHouse instead of the capture index
 * (#19): its list pages, an event's detail and frame, its chain (and the watched chain, which does not
 * grow: a window is read-only), the overview strip (SQL aggregates), the Devices and Gateways lists
 * and the messages view (the app's builder and grouping fed with the window's newest rows). The
 * renderer uses the same channels for both. A backfill looks past the window's time in ClickHouse
 * (window-chain.ts); exports of a window go through the app's export service (window-export.ts).
 */
import type { InvokeHandlers, PushSink } from '../../shared/ipc/contract.js';
import type { FrameView } from '../../shared/domain/frame.js';
import type { TtsEvent } from '../../shared/tts/types.js';
import { cutDepth, exceedsDepth } from '../../shared/json/bounded.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { WindowService } from './window-service.js';

export interface WindowRouteDeps {
  sink: PushSink;
  /** The frame decoder over an event the index does not hold. */
  decode: (event: TtsEvent, id: number) => Promise<Result<FrameView>>;
}

/** `handlers` with the channels of ClickHouse windows routed to `windows`; everything else unchanged. */
export function routeWindows(
  handlers: Omit<InvokeHandlers, 'recording:open-window'>,
  windows: WindowService,
  deps: WindowRouteDeps,
): InvokeHandlers {
  const h = handlers;
  return {
    ...h,
    'events:page': (req) => (windows.owns(req.workspaceId) ? windows.page(req) : h['events:page'](req)),
    'events:get': async (id) => {
      if (!windows.ownsId(id)) return h['events:get'](id);
      const r = await windows.event(id);
      return r.ok && exceedsDepth(r.value) ? ok(cutDepth(r.value) as TtsEvent) : r;
    },
    'correlation:chain': (id) => (windows.ownsId(id) ? windows.chain(id) : h['correlation:chain'](id)),
    'correlation:watch': async (id) => {
      if (id === null || !windows.ownsId(id)) return h['correlation:watch'](id);
      // The capture's watch stops; a window's chain is pushed once, as it is (nothing is added to a window).
      await h['correlation:watch'](null);
      const chain = await windows.chain(id);
      if (!chain.ok) return chain;
      deps.sink.send('correlation:chain', { eventId: id, chain: chain.value });
      return ok(undefined);
    },
    // A window's backfill looks in the recording beyond the window's time, where a capture asks the server.
    'correlation:backfill': (id) => (windows.ownsId(id) ? windows.chain(id, true) : h['correlation:backfill'](id)),
    'frames:facts': async (ids) => {
      // The list's own filter asks about the rows it holds: a window's are decoded here, a capture's there.
      const read = ids.some((id) => windows.ownsId(id))
        ? await windows.rowsOf(ids).catch((e: unknown) => e as Error)
        : [];
      if (read instanceof Error) return err('io', `ClickHouse: ${read.message}`);
      const mine = read;
      if (mine.length === 0 || !windows.frames) return h['frames:facts'](ids);
      const rest = await h['frames:facts'](ids.filter((id) => !windows.ownsId(id)));
      if (!rest.ok) return rest;
      // Both caches start over when keys change (app-core): the capture's version stands for both.
      return ok({
        version: rest.value.version,
        facts: { ...rest.value.facts, ...(await windows.frames.factsOf(mine)) },
      });
    },
    'frames:decode': async (id) => {
      if (!windows.ownsId(id)) return h['frames:decode'](id);
      const ev = await windows.event(id);
      return ev.ok ? deps.decode(ev.value, id) : ev;
    },
    'health:overview': (ws, bins) => (windows.owns(ws) ? windows.overview(ws, bins) : h['health:overview'](ws, bins)),
    'health:list': (ws) => (windows.owns(ws) ? windows.healthList(ws) : h['health:list'](ws)),
    'health:device': (ws, key) =>
      windows.owns(ws) ? windows.healthOf(ws, 'device', key) : h['health:device'](ws, key),
    'health:gateway': (ws, id) =>
      windows.owns(ws) ? windows.healthOf(ws, 'gateway', id) : h['health:gateway'](ws, id),
    'messages:watch': (req) =>
      req && windows.owns(req.workspaceId) ? windows.messages(req) : h['messages:watch'](req),
    'recording:open-window': (ws, settingsOf, w) => windows.openWindow(ws, settingsOf, w),
    'workspaces:save': async (doc) => {
      const r = await h['workspaces:save'](doc);
      await windows.retain(new Set(doc.workspaces.map((w) => w.id)));
      return r;
    },
  };
}
