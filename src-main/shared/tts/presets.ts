/**
 * Names-filter presets: the TTS Console's default ("filtered") sets per entity kind
 * (pkg/webui/console constants/event-filters.js, PROTOCOL.md 9.3), and "verbose" = everything.
 */
import type { EntityKind } from './types.js';

const DEVICE = [
  'as.*.drop',
  'as.down.data.receive',
  'as.up.*.forward',
  'js.join.accept',
  'js.join.reject',
  'ns.up.data.process',
  'ns.up.join.process',
  'ns.down.data.schedule.attempt',
  'ns.mac.*.answer.reject',
  '*.warning',
  '*.fail',
  'end_device.*',
];
const GATEWAY = [
  'gs.gateway.connect',
  'gs.gateway.disconnect',
  'gs.up.receive',
  'gs.down.send',
  'gs.down.schedule.fail',
  'gs.down.tx.fail',
  'gs.status.receive',
  'gcs.managed.*',
  'gateway.*',
];

export const CONSOLE_DEFAULT_GLOBS: Record<EntityKind, readonly string[]> = {
  device: DEVICE,
  application: [...DEVICE, 'application.*'],
  gateway: GATEWAY,
  organization: [],
  user: [],
  client: [],
};

/** The Console's conversion: `/^…$/` with `.` escaped and `*` as `.*`. */
export const globToNameRegex = (glob: string): string => `/^${glob.replace(/\./g, '\\.').replace(/\*/g, '.*')}$/`;

/** The `names` a stream sends for the Console's default filter of its first entity kind (empty = verbose). */
export function consoleDefaultNames(kind: EntityKind): string[] {
  return CONSOLE_DEFAULT_GLOBS[kind].map(globToNameRegex);
}
