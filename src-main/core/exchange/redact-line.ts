/**
 * Redaction of one stored line as bytes, for exports: the line is scanned once, and only the values
 * redaction changes are written anew; everything else is copied as the server sent it. No object is
 * built for an event, which is what made a redacted export of a large capture slow (parse, walk,
 * stringify every event).
 *
 * It follows the same rules as `redactValue` (`fieldRule`, `isPseudonymized`, `scrubbed`), so the
 * result parses to what `redactValue` gives (tested on the real-event corpus). A line it cannot read
 * as JSON is handed back as `undefined` for the caller to redact the slow way.
 */
import { MAX_JSON_DEPTH } from '../../shared/json/bounded.js';
import {
  fieldRule,
  ID_FIELDS,
  isPseudonymized,
  REDACTED,
  redactTenantContext,
  RULE_KEYS,
  scrubbed,
  scrubber,
  TOO_DEEP,
  type Pseudonym,
  type RedactionCounts,
  type RedactionOptions,
} from '../../shared/export/redact.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const REDACTED_JSON = Buffer.from(JSON.stringify(REDACTED));
const TOO_DEEP_JSON = Buffer.from(JSON.stringify(TOO_DEEP));

class Malformed extends Error {}

/** Bytes written one after another into one growing buffer (an export's next write). */
export class ByteSink {
  buf: Buffer;
  length = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  put(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.length + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    // Most stretches are a few bytes: a loop is cheaper than a call into native code for them. Longer
    // ones go through a plain view (`Buffer#copy` validates and builds one per call).
    if (n < 32) for (let i = 0; i < n; i++) this.buf[this.length + i] = src[from + i]!;
    else this.buf.set(new Uint8Array(src.buffer, src.byteOffset + from, n), this.length);
    this.length += n;
  }

  /** What was written, handed over: the sink starts again on a fresh buffer. */
  take(): Buffer {
    const done = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.length = 0;
    return done;
  }
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Any key no rule names: the rules treat all of them alike (see `RULE_KEYS`), so it is never decoded. */
const OTHER = '\u0000other';
/** The rule keys by byte length, to recognise a key by comparing bytes instead of decoding every key. */
const KEYS_BY_LENGTH: { bytes: Buffer; name: string }[][] = [];
for (const name of new Set(RULE_KEYS))
  (KEYS_BY_LENGTH[Buffer.byteLength(name)] ??= []).push({ bytes: Buffer.from(name), name });

/** Bytes of the tokens `scrubber` matches (`[A-Za-z0-9-]`), and each byte in lower case. */
const TOKEN_BYTE = new Uint8Array(256);
const LOWER = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  TOKEN_BYTE[c] = /[A-Za-z0-9-]/.test(ch) ? 1 : 0;
  LOWER[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}
const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * The originals keyed in lower case (later ones win, as in `scrubber`), their pseudonyms as bytes, and
 * the hashes of the keys. The map only grows during an export: entries past the last seen are added.
 */
function tokenFilter(originals: ReadonlyMap<string, string>) {
  const state = { size: 0, lower: new Map<string, Buffer>(), hashes: new Set<number>() };
  return {
    update() {
      if (state.size === originals.size) return state;
      let n = 0;
      for (const [k, v] of originals) {
        if (n++ < state.size) continue;
        const l = k.toLowerCase();
        state.lower.set(l, Buffer.from(v));
        let h = FNV_BASIS;
        for (let i = 0; i < l.length; i++) h = Math.imul(h ^ (l.charCodeAt(i) & 0xff), FNV_PRIME);
        state.hashes.add(h);
      }
      state.size = originals.size;
      return state;
    },
  };
}

/** The key between the quotes at `from` and `to` if it is a rule key, else `OTHER` (no escapes in it). */
function ruleKey(b: Buffer, from: number, to: number): string {
  const list = KEYS_BY_LENGTH[to - from];
  if (!list) return OTHER;
  for (const { bytes, name } of list) {
    let i = 0;
    while (i < bytes.length && bytes[i] === b[from + i]) i++;
    if (i === bytes.length) return name;
  }
  return OTHER;
}

/**
 * A redactor of lines (without their newline): appends the redacted JSON text to `into` and gives
 * true, or false with `into` as it was when the line is not JSON it can read. `counts` are added to
 * as `redactValue` adds to them.
 */
export function lineRedactor(
  options: RedactionOptions,
  pseudonym: Pseudonym,
  counts: RedactionCounts,
  /** With pseudonyms: the originals, whose whole-token mentions in free text are replaced (as `scrubber` does). */
  originals?: ReadonlyMap<string, string>,
): (line: Buffer, into: ByteSink) => boolean {
  const scrub = originals && scrubber(originals);
  const tokens = originals && tokenFilter(originals);
  let b: Buffer = Buffer.alloc(0);
  let end = 0;
  /** Output: stretches of `b` as they are, and replacements; `copied` is where the next stretch starts. */
  let out = new ByteSink();
  let copied = 0;
  // Rules per key (and parent) are the same for every line: look each pair up once.
  // One memo per parent the rules look at (no key built per lookup: that cost ~5 % of a redacted export).
  const rulesUnder = new Map<string, Map<string, ReturnType<typeof fieldRule> | null>>();
  const anyParent = new Map<string, ReturnType<typeof fieldRule> | null>();
  const ruleOf = (key: string, parentKey: string | undefined) => {
    let rules = anyParent;
    if (parentKey === 'authentication' || parentKey === 'gateway_ids' || parentKey === 'context') {
      rules = rulesUnder.get(parentKey) ?? new Map();
      rulesUnder.set(parentKey, rules);
    }
    let r = rules.get(key);
    if (r === undefined) {
      if (rules.size > 10_000) rules.clear(); // keys of decoded payloads are the sender's: bound the memo
      rules.set(key, (r = fieldRule(key, parentKey, options) ?? null));
    }
    return r;
  };

  const replace = (from: number, to: number, text: Buffer) => {
    if (from > copied) out.put(b, copied, from);
    out.put(text, 0, text.length);
    copied = to;
  };
  const skipSpace = (pos: number) => {
    while (pos < end && isSpace(b[pos]!)) pos++;
    return pos;
  };
  /** The index after a string's closing quote (`pos` is its opening quote), and whether it has escapes. */
  let escaped = false;
  /** The next backslash at or after the current string (searched again only once passed: one pass per line). */
  let nextSlash = -1;
  const stringEnd = (pos: number): number => {
    if (nextSlash <= pos) {
      nextSlash = b.indexOf(BACKSLASH, pos);
      if (nextSlash < 0) nextSlash = end;
    }
    let q = pos + 1;
    for (;;) {
      q = b.indexOf(QUOTE, q);
      if (q < 0 || q >= end) throw new Malformed();
      let slashes = 0;
      while (b[q - 1 - slashes] === BACKSLASH) slashes++;
      if (slashes % 2 === 0) {
        escaped = nextSlash < q;
        return q + 1;
      }
      q++;
    }
  };
  /** A string's value; `escaped` must be what `stringEnd` said about it. */
  const text = (from: number, to: number): string => {
    if (!escaped) return b.toString('utf8', from + 1, to - 1);
    const v: unknown = JSON.parse(b.toString('utf8', from, to));
    if (typeof v !== 'string') throw new Malformed();
    return v;
  };
  /** The index after the value at `pos`, without looking inside it. */
  const skipValue = (pos: number): number => {
    const c = b[pos];
    if (c === QUOTE) return stringEnd(pos);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      while (pos < end) {
        const d = b[pos]!;
        if (d === QUOTE) {
          pos = stringEnd(pos);
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) return pos + 1;
        }
        pos++;
      }
      throw new Malformed();
    }
    // A number, true, false or null: up to the next delimiter.
    const from = pos;
    while (pos < end) {
      const d = b[pos]!;
      if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
      pos++;
    }
    if (pos === from) throw new Malformed();
    return pos;
  };

  /**
   * The pseudonym (as JSON) an identifier field's string at `from`..`to` (quotes included) becomes, or
   * `null`: remembered by the field and the value's bytes, since a capture names the same few thousand
   * identifiers over and over (`pseudonym` is still asked once per distinct spelling, as the walk asks it).
   */
  const ids = new Map<number, { key: string; gw: boolean; bytes: Buffer; out: Buffer | null }[]>();
  const pseudonymOf = (key: string, parentKey: string | undefined, value: string): Buffer | null =>
    isPseudonymized(key, parentKey, value) ? Buffer.from(JSON.stringify(pseudonym(ID_FIELDS[key]!, value))) : null;
  const idValue = (key: string, parentKey: string | undefined, from: number, to: number): Buffer | null => {
    if (escaped) return pseudonymOf(key, parentKey, text(from, to));
    const gw = parentKey === 'gateway_ids';
    let h = gw ? FNV_PRIME : FNV_BASIS;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
    for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
    const list = ids.get(h);
    if (list)
      for (const e of list) {
        if (e.key !== key || e.gw !== gw || e.bytes.length !== to - from) continue;
        let i = 0;
        while (i < e.bytes.length && e.bytes[i] === b[from + i]) i++;
        if (i === e.bytes.length) return e.out;
      }
    if (ids.size > 100_000) ids.clear();
    const entry = {
      key,
      gw,
      bytes: Buffer.from(b.subarray(from, to)),
      out: pseudonymOf(key, parentKey, text(from, to)),
    };
    if (list) list.push(entry);
    else ids.set(h, [entry]);
    return entry.out;
  };

  /**
   * Free text without escapes, scrubbed in place: the same maximal runs of letters, digits and dashes
   * `scrubber` matches, each looked up only when its hash is one of an original's.
   */
  const scrubTokens = (from: number, to: number): void => {
    const t = tokens!.update();
    let i = from;
    while (i < to) {
      if (!TOKEN_BYTE[b[i]!]) {
        i++;
        continue;
      }
      const start = i;
      let h = FNV_BASIS;
      for (; i < to && TOKEN_BYTE[b[i]!]; i++) h = Math.imul(h ^ LOWER[b[i]!]!, FNV_PRIME);
      if (i - start < 4 || !t.hashes.has(h)) continue;
      const hit = t.lower.get(b.toString('latin1', start, i).toLowerCase());
      if (hit !== undefined) replace(start, i, hit);
    }
  };

  const value = (pos: number, key: string | undefined, parentKey: string | undefined, depth: number): number => {
    pos = skipSpace(pos);
    const c = b[pos];
    if (key !== undefined) {
      const rule = ruleOf(key, parentKey);
      if (rule === 'id') {
        if (c === QUOTE) {
          const to = stringEnd(pos);
          const out = idValue(key, parentKey, pos, to);
          if (out) {
            counts.pseudonymize++;
            replace(pos, to, out);
            return to;
          }
        }
      } else if (rule === 'tenant-context') {
        if (c === QUOTE) {
          const to = stringEnd(pos);
          const out = redactTenantContext(text(pos, to), pseudonym);
          if (out !== undefined) {
            counts.pseudonymize++;
            replace(pos, to, Buffer.from(JSON.stringify(out)));
          }
          return to;
        }
      } else if (rule) {
        counts[rule]++;
        const to = skipValue(pos);
        if (rule === 'remoteIps' && c === 0x5b) {
          let n = 0;
          for (let p = skipSpace(pos + 1); b[p] !== 0x5d; n++) {
            p = skipSpace(skipValue(p));
            if (b[p] === 0x2c) p = skipSpace(p + 1);
          }
          replace(pos, to, Buffer.from(JSON.stringify(Array<string>(n).fill(REDACTED))));
        } else replace(pos, to, REDACTED_JSON);
        return to;
      }
    }
    if (c === QUOTE) {
      const to = stringEnd(pos);
      if (scrub && to - pos - 2 >= 4 && scrubbed(key, parentKey)) {
        if (escaped) {
          const v = text(pos, to);
          const s = scrub(v);
          if (s !== v) replace(pos, to, Buffer.from(JSON.stringify(s)));
        } else scrubTokens(pos + 1, to - 1);
      }
      return to;
    }
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_JSON_DEPTH) {
        const to = skipValue(pos);
        replace(pos, to, TOO_DEEP_JSON);
        return to;
      }
      return c === 0x7b ? object(pos, key, depth) : array(pos, key, depth);
    }
    return skipValue(pos);
  };

  const object = (pos: number, key: string | undefined, depth: number): number => {
    pos = skipSpace(pos + 1);
    if (b[pos] === 0x7d) return pos + 1;
    for (;;) {
      if (b[pos] !== QUOTE) throw new Malformed();
      const to = stringEnd(pos);
      const member = escaped ? text(pos, to) : ruleKey(b, pos + 1, to - 1);
      pos = skipSpace(to);
      if (b[pos] !== 0x3a) throw new Malformed();
      pos = skipSpace(value(pos + 1, member, key, depth + 1));
      if (b[pos] === 0x7d) return pos + 1;
      if (b[pos] !== 0x2c) throw new Malformed();
      pos = skipSpace(pos + 1);
    }
  };

  const array = (pos: number, key: string | undefined, depth: number): number => {
    pos = skipSpace(pos + 1);
    if (b[pos] === 0x5d) return pos + 1;
    for (;;) {
      pos = skipSpace(value(pos, undefined, key, depth + 1));
      if (b[pos] === 0x5d) return pos + 1;
      if (b[pos] !== 0x2c) throw new Malformed();
      pos++;
    }
  };

  return (line, into) => {
    b = line;
    end = line.length;
    out = into;
    const mark = into.length;
    copied = 0;
    nextSlash = -1;
    try {
      const pos = skipSpace(value(0, undefined, undefined, 0));
      if (pos !== end) throw new Malformed();
    } catch (e) {
      if (!(e instanceof Malformed || e instanceof SyntaxError)) throw e;
      into.length = mark;
      return false;
    }
    if (copied < end) out.put(b, copied, end);
    return true;
  };
}
