/**
 * The strings every segment of an index shares, and the "what" / "who" tuples a row's ids point to.
 * The probes build a summary from one tuple alone, so a query tests each tuple once instead of each
 * row (segment-query.ts).
 */
import type { EventSummary } from '../../shared/domain/summary.js';
import { CorrKeys } from './corr-key.js';
import { deviceKeyOf } from './row-view.js';
import { StringTable, TupleTable } from './string-table.js';

/** Fields of the "what" and "who" tuples. */
export const W_NAME = 0;
export const W_DIR = 1;
export const W_DR = 2;
export const W_ERR = 3;
export const W_FRAME = 4;
export const P_KIND = 0;
export const P_ENTITY = 1;
export const P_APP = 2;
export const P_EUI = 3;
export const P_ADDR = 4;
/** Fields of a "who" tuple; field 0 (the kind) is from `kinds`, the others from `ids`. */
export const WHO_WIDTH = 5;

/** An empty summary, for a probe to set what one tuple of a row says, nothing else. */
const probe = (): EventSummary => ({
  id: 0,
  streamId: '',
  kind: 'event',
  ms: NaN,
  time: '',
  name: '',
  entity: '',
  entityKind: '',
  preview: '',
  correlationIds: [],
});

/** Strings shared by every segment of an index (bounded cardinality: names, IDs, EUIs, kinds). */
export class SharedTables {
  readonly names = new StringTable();
  /** Entity kinds and message directions: a handful of values. */
  readonly kinds = new StringTable();
  /** Data rates and error names: hundreds of values at most. */
  readonly small = new StringTable();
  readonly ids = new StringTable();
  readonly devices = new StringTable();
  readonly corr = new CorrKeys();
  readonly what = new TupleTable(5);
  readonly who = new TupleTable(5);
  /** `devices` id + 1 of each "who" tuple of a device (0 = not known yet): no key string per entry. */
  deviceOfWho = new Uint32Array(1024);
  /** Reused for the tuple of each new row (the tables copy the values). */
  readonly scratch = [0, 0, 0, 0, 0];

  /** The `devices` id of a device's "who" tuple (its `application/device` key). */
  deviceTerm(who: number, application: string | undefined, entity: string): number {
    if (who >= this.deviceOfWho.length) {
      const grown = new Uint32Array(Math.max(who + 1, this.deviceOfWho.length * 2));
      grown.set(this.deviceOfWho);
      this.deviceOfWho = grown;
    }
    const known = this.deviceOfWho[who]!;
    if (known !== 0) return known - 1;
    const id = this.devices.id(deviceKeyOf(application, entity));
    this.deviceOfWho[who] = id + 1;
    return id;
  }

  /** A summary holding only the fields of "what" tuple `id` (the rest empty), to test a term on. */
  whatProbe(id: number): EventSummary {
    const { what, names, kinds, small } = this;
    const s = probe();
    s.name = names.str(what.field(id, W_NAME));
    const direction = kinds.opt(what.field(id, W_DIR));
    if (direction !== undefined) (s as { direction?: string }).direction = direction;
    const dataRate = small.opt(what.field(id, W_DR));
    if (dataRate !== undefined) s.dataRate = dataRate;
    const errorName = small.opt(what.field(id, W_ERR));
    if (errorName !== undefined) s.errorName = errorName;
    const frame = what.field(id, W_FRAME);
    if (frame) s.frame = frame;
    return s;
  }

  whoProbe(id: number): EventSummary {
    const { who, kinds, ids } = this;
    const s = probe();
    s.entityKind = kinds.str(who.field(id, P_KIND));
    s.entity = ids.str(who.field(id, P_ENTITY));
    const application = ids.opt(who.field(id, P_APP));
    if (application !== undefined) s.application = application;
    const devEui = ids.opt(who.field(id, P_EUI));
    if (devEui !== undefined) s.devEui = devEui;
    const devAddr = ids.opt(who.field(id, P_ADDR));
    if (devAddr !== undefined) s.devAddr = devAddr;
    return s;
  }

  /** A summary with only field `f` of a "who" tuple set, to `value` (a string-table id), as `whoProbe` sets it. */
  whoFieldProbe(f: number, value: number): EventSummary {
    const { kinds, ids } = this;
    const s = probe();
    if (f === P_KIND) s.entityKind = kinds.str(value);
    else if (f === P_ENTITY) s.entity = ids.str(value);
    else {
      const v = ids.opt(value);
      if (v !== undefined) s[f === P_APP ? 'application' : f === P_EUI ? 'devEui' : 'devAddr'] = v;
    }
    return s;
  }

  /** A summary naming only gateway `id` (a shared-table id). */
  gatewayProbe(id: number): EventSummary {
    const s = probe();
    s.gatewayIds = [this.ids.str(id)];
    return s;
  }
}
