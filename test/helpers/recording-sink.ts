/** A PushSink that keeps every push, for tests that assert what the renderer would receive. */
import type { PushChannel, PushChannels, PushSink } from '../../src-main/shared/ipc/contract.js';
import type { EventSummary } from '../../src-main/shared/domain/summary.js';

export class RecordingSink implements PushSink {
  readonly all: { channel: PushChannel; payload: unknown }[] = [];
  batches: EventSummary[][] = [];
  send<C extends PushChannel>(channel: C, payload: PushChannels[C]): void {
    this.all.push({ channel, payload });
    if (channel === 'events:batch') this.batches.push((payload as PushChannels['events:batch']).summaries);
  }
  summaries(): EventSummary[] {
    return this.batches.flat();
  }
}
