/**
 * Correlation IDs in a compact form for the index's term tables. Most are `<class>:<ULID>`; the class
 * becomes one character (from a shared table of classes) and the 26-character ULID nine characters of
 * 15 bits each, so a term costs about a third of its text. Anything else is kept as it is.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) VALUE[CROCKFORD.charCodeAt(i)] = i;
/** Packed keys start with a private-use character (the class); raw ones that would too are escaped. */
const CLASS_BASE = 0xe000;
const CLASS_LIMIT = 0x1000;
const ESCAPE = '\uf000';

export class CorrKeys {
  readonly #classes = new Map<string, number>();
  readonly #names: string[] = [];

  /** The key of a correlation ID, adding its class if new; `find` only looks. */
  key(id: string, add = true): string | undefined {
    const cut = id.length - 26;
    if (cut > 0 && id.charCodeAt(cut - 1) === 0x3a /* : */ && isUlid(id, cut)) {
      const cls = id.slice(0, cut);
      let c = this.#classes.get(cls);
      if (c === undefined) {
        if (!add) return undefined;
        if (this.#names.length < CLASS_LIMIT) {
          c = this.#names.length;
          this.#classes.set(cls, c);
          this.#names.push(cls);
        }
      }
      if (c !== undefined) return String.fromCharCode(CLASS_BASE + c) + packUlid(id, cut);
    }
    const first = id.charCodeAt(0);
    return first >= CLASS_BASE && first <= 0xf000 ? ESCAPE + id : id;
  }

  /** The id of a class (`gs:uplink:`), adding it if new and `add`; none past the class limit. */
  classId(cls: string, add = true): number | undefined {
    let c = this.#classes.get(cls);
    if (c === undefined && add && this.#names.length < CLASS_LIMIT) {
      c = this.#names.length;
      this.#classes.set(cls, c);
      this.#names.push(cls);
    }
    return c;
  }

  className(c: number): string {
    return this.#names[c] ?? '';
  }

  /** The correlation ID a key stands for. */
  id(key: string): string {
    const first = key.charCodeAt(0);
    if (key.startsWith(ESCAPE)) return key.slice(1);
    if (first >= CLASS_BASE && first < CLASS_BASE + CLASS_LIMIT)
      return this.#names[first - CLASS_BASE]! + unpackUlid(key);
    return key;
  }
}

function isUlid(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || VALUE[c]! < 0) return false;
  }
  return true;
}

/** 26 characters of 5 bits → 9 characters of 15 bits (values below 0x8000: never a surrogate). */
function packUlid(s: string, from: number): string {
  let out = '';
  for (let g = 0; g < 9; g++) {
    let v = 0;
    for (let k = 0; k < 3; k++) {
      const i = from + g * 3 + k;
      v = v * 32 + (i < s.length ? VALUE[s.charCodeAt(i)]! : 0);
    }
    out += String.fromCharCode(v);
  }
  return out;
}

function unpackUlid(key: string): string {
  let out = '';
  for (let g = 0; g < 9; g++) {
    const v = key.charCodeAt(1 + g);
    out += CROCKFORD[(v >> 10) & 31]! + CROCKFORD[(v >> 5) & 31]! + (g < 8 ? CROCKFORD[v & 31]! : '');
  }
  return out;
}

/** Bytes of a packed `<class>:<ULID>` term: the class (16 bits) and the ULID's 128 bits. */
export const PACKED_BYTES = 18;

/**
 * Pack a `<class>:<ULID>` correlation ID into `out` (PACKED_BYTES): class id, then the ULID's 16 bytes.
 * False for any other shape (and for a new class when `add` is false, or past the class limit).
 */
export function packCorr(keys: CorrKeys, id: string, out: Uint8Array, add = true): boolean {
  const cut = id.length - 26;
  if (cut <= 0 || id.charCodeAt(cut - 1) !== 0x3a || !isUlid(id, cut) || VALUE[id.charCodeAt(cut)]! > 7) return false;
  const c = keys.classId(id.slice(0, cut), add);
  if (c === undefined) return false;
  out[0] = c >>> 8;
  out[1] = c & 0xff;
  // 26 characters of 5 bits, the first one 3 bits: 128 bits, most significant first.
  let acc = 0;
  let bits = 0;
  let o = 2;
  for (let i = cut; i < id.length; i++) {
    const v = VALUE[id.charCodeAt(i)]!;
    const w = i === cut ? 3 : 5;
    acc = ((acc << w) | v) & 0xffff;
    bits += w;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return true;
}

/** The correlation ID of a packed term (`bytes` from `at`). */
export function unpackCorr(keys: CorrKeys, get: (i: number) => number, at: number): string {
  const cls = keys.className((get(at) << 8) | get(at + 1));
  let out = '';
  let acc = 0;
  let bits = 0;
  let first = true;
  for (let i = 0; i < 16; i++) {
    acc = ((acc << 8) | get(at + 2 + i)) & 0xffff;
    bits += 8;
    while (bits >= (first ? 3 : 5)) {
      const w = first ? 3 : 5;
      bits -= w;
      out += CROCKFORD[(acc >>> bits) & ((1 << w) - 1)]!;
      first = false;
    }
  }
  return cls + out;
}
