/**
 * Summaries for tests of the query language and what reads summaries: a device's uplink unless the test
 * says otherwise, each with a fresh id.
 */
import type { EventSummary } from '../../src-main/shared/domain/summary.js';

let nextId = 0;

export const summary = (p: Partial<EventSummary>): EventSummary => ({
  id: ++nextId,
  streamId: 's1',
  kind: 'event',
  ms: 0,
  time: '',
  name: 'as.up.data.forward',
  entity: 'eui-70b3d57ed0000001',
  entityKind: 'device',
  preview: '',
  correlationIds: [],
  ...p,
});
