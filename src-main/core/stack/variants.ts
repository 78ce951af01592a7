/**
 * Event templates compiled per use: the work the stack used to do on every generated event (the frame
 * fields put in with a regex, the release's event name, proto3's zeros removed, a `{...vars}` copy per
 * event) is done once per template and variant, so rendering an event is a join of literal pieces and
 * values from a flat array. The stack is the benchmark's load generator, so its cost per event matters.
 *
 * A variant is fixed by what a template cannot know alone:
 * - `frames`: which real frame the event carries (`up`, `down`, `join`, or none): the sample's
 *   `raw_payload`, `mic` and on-air `frm_payload` become holes for the flow's frame;
 * - `fCntZero`: the device's counter is 0, so proto3 JSON leaves `f_cnt` and `full_f_cnt` out;
 * - `name`: the name the event had in the release the stack imitates.
 * Values that can still be zero (the SNR of one reception) live in the rx_metadata entries, which the
 * scenario cleans with `omitZeros` on their own.
 */
import type { EventTemplate } from './templates.js';
import { editTemplate, frameEditKey, type FrameEdit } from './frame-fields.js';

export type FrameContext = 'none' | 'up' | 'down' | 'join';

/** Every hole a compiled template can have, and its index in a flow's value array. */
const FIXED = [
  'DID',
  'DEVEUI',
  'APP',
  'DADDR',
  'FCNT',
  'FRM',
  'DEC',
  'NONCE',
  'TA',
  'RX',
  'GSUP',
  'GID',
  'GEUI',
  'RXG',
  'T',
  'UID',
  'UP_RAW',
  'UP_MIC',
  'UP_FRM',
  'DOWN_RAW',
  'DOWN_MIC',
  'DOWN_FRM',
  'JOIN_REQUEST',
  'JOIN_ACCEPT',
  'JOIN_REQUEST_MIC',
  'JOIN_ACCEPT_MIC',
  'DOWN_FCNT16',
  'DOWN_FCNT',
  'DOWN_FOPTS',
  'UP_FOPTS',
] as const;
/** Correlation ID slots `C0`…: more than any flow uses (a template with more fails at compile time). */
const CORRELATION_SLOTS = 32;

export const SLOT = Object.fromEntries(FIXED.map((name, i) => [name, i])) as Record<(typeof FIXED)[number], number>;
/** Index of correlation slot `Cn`. */
export const correlationSlot = (n: number): number => FIXED.length + n;
export const SLOT_COUNT = FIXED.length + CORRELATION_SLOTS;

const slotOf = (token: string): number => {
  const fixed = (SLOT as Record<string, number>)[token];
  if (fixed !== undefined) return fixed;
  const c = /^C(\d+)$/.exec(token);
  if (c && Number(c[1]) < CORRELATION_SLOTS) return correlationSlot(Number(c[1]));
  throw new Error(`template variable ${token} unknown`);
};

const ZERO_MEMBER = /"(?:f_cnt|full_f_cnt|snr|channel_index|f_port)":0,/g;
const ZERO_LAST_MEMBER = /,"(?:f_cnt|full_f_cnt|snr|channel_index|f_port)":0(?=\})/g;

/**
 * proto3 JSON leaves zero values out: the first uplink after a join has no `f_cnt` key, a reception at
 * exactly 0 dB has no `snr`. The templates write every field; this removes the zeros a real server omits.
 */
export function omitZeros(json: string): string {
  if (!json.includes(':0')) return json;
  // `"k":0,` anywhere, then a last member `,"k":0` before its closing brace.
  return json.replace(ZERO_MEMBER, '').replace(ZERO_LAST_MEMBER, '');
}

/** A data frame's fields in a template: the sample's raw payload and MIC, and the (clear) FRMPayload hole. */
const FRAME_FIELDS = /"(raw_payload|mic|frm_payload)":"(?:[A-Za-z0-9+/=]*|§FRM§)"/g;
const RAW_PAYLOAD = /"raw_payload":"[A-Za-z0-9+/=]*"/;
/** The sample MICs of the join templates' parsed payloads (join-request, join-accept), replaced by the real ones. */
const SAMPLE_JOIN_REQUEST_MIC = '"mic":"bE9qcA=="';
const SAMPLE_JOIN_ACCEPT_MIC = '"mic":"ZTXOdA=="';

/** Which frame an event of a flow carries: the uplink's on the uplink path, the downlink's on the downlink path. */
export function frameContext(name: string, hasUp: boolean, hasDown: boolean, isJoin: boolean): FrameContext {
  if (hasUp && (name.startsWith('gs.up.') || name.startsWith('ns.up.data.'))) return 'up';
  if (hasDown && (name.startsWith('ns.down.data.') || name.startsWith('gs.down.'))) return 'down';
  return isJoin ? 'join' : 'none';
}

export interface CompiledEvent {
  /** Literal pieces around the holes: `parts.length === slots.length + 1`. */
  parts: string[];
  slots: number[];
}

function compileText(json: string): CompiledEvent {
  const parts: string[] = [];
  const slots: number[] = [];
  let last = 0;
  for (const m of json.matchAll(/§(\w+)§/g)) {
    parts.push(json.slice(last, m.index));
    slots.push(slotOf(m[1]!));
    last = m.index + m[0].length;
  }
  parts.push(json.slice(last));
  return { parts, slots };
}

const cache = new WeakMap<EventTemplate, Map<string, CompiledEvent>>();

/** The template with this variant's frame holes, name, zeros and frame edit, split into pieces (cached). */
export function compiledEvent(
  t: EventTemplate,
  frames: FrameContext,
  fCntZero: boolean,
  name: string,
  edit?: FrameEdit,
): CompiledEvent {
  if (name === t.name && edit === undefined) {
    let byContext = common.get(t);
    if (!byContext) common.set(t, (byContext = new Array<CompiledEvent | undefined>(8)));
    const i = FRAME_INDEX[frames] * 2 + (fCntZero ? 1 : 0);
    return (byContext[i] ??= compileVariant(t, frames, fCntZero, name, undefined));
  }
  let byVariant = cache.get(t);
  if (!byVariant) cache.set(t, (byVariant = new Map()));
  const key = `${frames}|${fCntZero ? 1 : 0}|${name}|${frameEditKey(edit)}`;
  let c = byVariant.get(key);
  if (!c) byVariant.set(key, (c = compileVariant(t, frames, fCntZero, name, edit)));
  return c;
}

/**
 * The common variants (the template's own name, no edit) by frame context and zero counter, found without
 * building a key: every generated event asks for its variant.
 */
const common = new WeakMap<EventTemplate, Array<CompiledEvent | undefined>>();
const FRAME_INDEX: Record<FrameContext, number> = { none: 0, up: 1, down: 2, join: 3 };

function compileVariant(
  t: EventTemplate,
  frames: FrameContext,
  fCntZero: boolean,
  name: string,
  edit: FrameEdit | undefined,
): CompiledEvent {
  let json = t.json;
  if (name !== t.name) json = json.replace(`"name":"${t.name}"`, () => `"name":"${name}"`);
  if (fCntZero) json = json.replaceAll('§FCNT§', '0');
  if (frames === 'up' || frames === 'down') {
    const p = frames === 'up' ? 'UP' : 'DOWN';
    json = json.replace(FRAME_FIELDS, (m, field: string) =>
      field === 'raw_payload'
        ? `"raw_payload":"§${p}_RAW§"`
        : field === 'mic'
          ? `"mic":"§${p}_MIC§"`
          : m.endsWith('"§FRM§"')
            ? `"frm_payload":"§${p}_FRM§"`
            : m,
    );
  }
  if (frames === 'join' && json.includes('"raw_payload":"')) {
    json = json.replace(RAW_PAYLOAD, (m) =>
      m.startsWith('"raw_payload":"A') ? '"raw_payload":"§JOIN_REQUEST§"' : '"raw_payload":"§JOIN_ACCEPT§"',
    );
    json = json
      .replace(SAMPLE_JOIN_REQUEST_MIC, '§JOIN_REQUEST_MIC§')
      .replace(SAMPLE_JOIN_ACCEPT_MIC, '§JOIN_ACCEPT_MIC§');
  }
  json = omitZeros(json);
  return compileText(edit ? editTemplate(json, edit) : json);
}

/**
 * Fill a compiled template from a flow's values. A hole without a value is a bug in the scenario, so it throws.
 * Appended piece by piece (V8 links the pieces and copies them once, when the text is first read whole, as
 * the encoder does): cheaper than an array of pieces joined, which costs the array besides the copy.
 */
export function renderCompiled(c: CompiledEvent, values: ReadonlyArray<string | undefined>): string {
  const { parts, slots } = c;
  let out = parts[0]!;
  for (let i = 0; i < slots.length; i++) {
    const v = values[slots[i]!];
    if (v === undefined)
      throw new Error(`template variable ${FIXED[slots[i]!] ?? `C${slots[i]! - FIXED.length}`} missing`);
    out += v;
    out += parts[i + 1]!;
  }
  return out;
}
