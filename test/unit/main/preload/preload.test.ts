import { describe, expect, it, vi } from 'vitest';
import { INVOKE_METHODS, PUSH_METHODS } from '../../../../src-main/shared/ipc/contract.js';
import { exposed, invoked, rendererListeners } from '../../../mocks/electron.js';

vi.mock('electron', () => import('../../../mocks/electron.js'));

describe('preload', async () => {
  await import('../../../../src-main/preload/preload.js');
  const api = exposed.eventDesk as Record<string, (...a: unknown[]) => unknown>;

  it('exposes exactly one method per contract channel as window.eventDesk, nothing generic', () => {
    expect(Object.keys(exposed)).toEqual(['eventDesk']);
    expect(Object.keys(api).sort()).toEqual([...Object.values(INVOKE_METHODS), ...Object.values(PUSH_METHODS)].sort());
    for (const generic of ['send', 'invoke', 'on', 'ipcRenderer', 'process']) expect(api[generic]).toBeUndefined();
  });

  it('maps each method to its channel', async () => {
    await api.getEvent!(42);
    expect(invoked.at(-1)).toEqual({ channel: 'events:get', args: [42] });
  });

  it('hands listeners the payload only, never the IPC event, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = api.onEventBatch!((p: unknown) => got.push(p)) as () => void;
    const [listener] = rendererListeners.get('events:batch')!;
    listener!({ sender: 'raw ipc event' }, { summaries: [] });
    expect(got).toEqual([{ summaries: [] }]);
    off();
    expect(rendererListeners.get('events:batch')).toEqual([]);
  });

  it('turns a batch main sent as JSON text back into the batch before the window sees it', () => {
    const got: unknown[] = [];
    const off = api.onEventBatch!((p: unknown) => got.push(p)) as () => void;
    const [listener] = rendererListeners.get('events:batch')!;
    const batch = {
      workspaceId: 'w1',
      summaries: [{ id: 7, name: 'as.up.data.forward', correlationIds: ['as:up:1'] }],
    };
    listener!({}, JSON.stringify(batch));
    expect(got).toEqual([batch]);
    off();
  });
});
