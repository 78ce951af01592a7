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
