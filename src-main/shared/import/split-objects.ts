/**
 * Splits an import file into JSON objects, whatever the file is: an NDJSON capture or bundle (one
 * object per line), a JSON array (the TTS Console's export, pretty-printed), or `ttn-lw-cli events`
 * output (pretty-printed objects one after another). Fed in chunks; reports every object with the
 * line it starts on, and every stretch it cannot read, so a partial file imports what is valid.
 */

export interface SplitObject {
  text: string;
  line: number;
}

export interface SplitProblem {
  line: number;
  reason: string;
}

export type SplitMode = 'lines' | 'array' | 'objects';

/** How long a line may grow before the format is decided (or a line before the first JSON is reported) anyway. */
const MAX_SNIFF = 1024 * 1024;
/** How much of a stretch that is not an object is kept to name it: enough for a number or a log line's level. */
const HEAD = 80;

/**
 * A line `ttn-lw-cli` logs (two spaces, a level in capitals, maybe coloured, then the message and its fields),
 * which its output captured with `2>&1` has before and among the events. `.` is a colour code's ESC; no two
 * quantifiers can match the same spaces, so a long line that is not a log line is rejected in linear time.
 */
export const LOG_LINE = /^[ \t]*(?:.\[[\d;]*m[ \t]*)?(?:DEBUG|INFO|WARN|ERROR|FATAL)\b/;
export const LOG_LINE_REASON = 'a ttn-lw-cli log line, not an event';

/** Why a JSON value that is not an object is skipped: what it is, so the user can find it. */
export function notAnObject(value: unknown): string {
  const what =
    typeof value === 'string'
      ? 'a string'
      : typeof value === 'number'
        ? 'a number'
        : typeof value === 'boolean'
          ? 'a boolean'
          : value === null
            ? 'null'
            : 'an array';
  return `${what}, not a JSON object`;
}

/**
 * Something between objects that is not one, being skipped: a string or an array (an element of a JSON array,
 * skipped to its end wherever that is), a bare token (a number, `null`, `true`: skipped to the next `,`, `]` or
 * space), or anything else (skipped to the end of the line). Only its first characters are kept, to name it.
 */
interface Stray {
  kind: 'string' | 'array' | 'token' | 'line';
  line: number;
  head: string;
  depth: number;
  inString: boolean;
  escape: boolean;
}

export class ObjectSplitter {
  mode: SplitMode | undefined;
  #line = 1;
  // Line mode.
  #partial = '';
  // Scanner modes.
  #depth = 0;
  #inString = false;
  #escape = false;
  #pieces: string[] = [];
  #objLine = 0;
  #arrayOpen = false;
  #arrayClosed = false;
  #sniff = '';
  /** Column of the next character (scanner modes), to resynchronise after a broken object. */
  #col = 0;
  #objCol = 0;
  /** After a broken object: skip until an object starts at this column or further left. */
  #resyncCol: number | undefined;
  #stray: Stray | undefined;
  /** Before the format is known: the rest of a line too long to keep, reported already, is skipped. */
  #sniffSkip = false;
  #sawText = false;

  constructor(
    private readonly onObject: (o: SplitObject) => void,
    private readonly onProblem: (p: SplitProblem) => void,
  ) {}

  feed(chunk: string): void {
    if (this.mode === undefined) this.#sniffLines(chunk);
    else this.#consume(chunk);
  }

  /**
   * Before the format is known, the file is read a line at a time until a line starts a JSON object or array:
   * that line decides the format, and it and the rest of the file are read in that format. Lines before it
   * (the log lines of `ttn-lw-cli … 2>&1`, a title) go to `onObject` as NDJSON's lines that are not JSON do, to
   * be reported with their number; only an unfinished line is kept.
   */
  #sniffLines(chunk: string): void {
    const text = this.#sniff + chunk;
    this.#sniff = '';
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const end = nl < 0 ? text.length : nl;
      if (this.#sniffSkip) {
        if (nl < 0) return;
        this.#sniffSkip = false;
      } else {
        let start = from;
        while (start < end && /\s/.test(text[start]!)) start++;
        const first = start < end ? text[start] : undefined;
        if (first !== undefined) this.#sawText = true;
        const whole = nl >= 0 || end - from >= MAX_SNIFF;
        if (first === '[' || (first === '{' && whole)) {
          this.mode = first === '[' ? 'array' : firstLineMode(text.slice(start, end), nl < 0);
          this.#consume(text.slice(from));
          return;
        }
        if (first !== undefined && first !== '{' && whole) {
          this.#emitLine(text.slice(from, Math.min(end, from + MAX_SNIFF)), this.#line);
          this.#sniffSkip = nl < 0;
        } else if (!whole) {
          this.#sniff = text.slice(from);
          return;
        }
      }
      if (nl < 0) return;
      this.#line++;
      from = nl + 1;
    }
  }

  end(): void {
    if (this.mode === undefined) {
      const text = this.#sniff;
      this.#sniff = '';
      // A file with no JSON reads as NDJSON whose every line is reported; an empty one has no format.
      if (!this.#sawText && !text.trim()) return;
      this.mode = 'lines';
      this.#consume(text);
    }
    if (this.mode === 'lines') {
      if (this.#partial.trim()) this.#emitLine(this.#partial, this.#line);
      this.#partial = '';
      return;
    }
    if (this.#stray)
      this.#strayEnds(this.#stray.kind === 'string' ? 'the file ends inside this string (truncated?)' : undefined);
    if (this.#depth > 0)
      this.onProblem({
        line: this.#objLine,
        reason: 'the file ends in the middle of this object (truncated?); everything before it was imported',
      });
    else if (this.mode === 'array' && this.#arrayOpen && !this.#arrayClosed)
      this.onProblem({
        line: this.#line,
        reason: 'the JSON array is never closed (truncated?); every complete event before the end was imported',
      });
  }

  /**
   * Line mode only: hand the unfinished last line and the next line's number to a reader that goes on
   * splitting the rest of the file itself (the importer's byte path); this splitter then holds nothing.
   */
  takePartial(): { text: string; line: number } {
    const partial = { text: this.#partial, line: this.#line };
    this.#partial = '';
    return partial;
  }

  #consume(text: string): void {
    if (this.mode === 'lines') this.#lines(text);
    else this.#scan(text);
  }

  #lines(text: string): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) {
        this.#partial += text.slice(from);
        return;
      }
      const line = this.#partial + text.slice(from, nl);
      this.#partial = '';
      this.#emitLine(line, this.#line);
      this.#line++;
      from = nl + 1;
    }
  }

  #emitLine(line: string, n: number): void {
    const t = line.replace(/\r$/, '');
    if (!t.trim()) return;
    this.onObject({ text: t, line: n });
  }

  #scan(text: string): void {
    let start = this.#depth > 0 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const col = this.#col;
      if (c === '\n') {
        this.#line++;
        this.#col = 0;
      } else this.#col++;
      if (this.#stray && this.#skipStray(c)) continue;
      if (this.#depth > 0) {
        if (this.#inString) {
          if (this.#escape) this.#escape = false;
          else if (c === '\\') this.#escape = true;
          else if (c === '"') this.#inString = false;
          else if (c === '\n') {
            // A raw newline cannot be inside a JSON string: this object is broken. Resynchronise after it.
            this.onProblem({ line: this.#objLine, reason: 'a string in this object is never closed' });
            this.#resyncCol = this.#objCol;
            this.#reset();
            start = -1;
          }
          continue;
        }
        if (c === '"') this.#inString = true;
        else if (c === '{' || c === '[') this.#depth++;
        else if (c === '}' || c === ']') {
          this.#depth--;
          if (this.#depth === 0) {
            this.#pieces.push(text.slice(start, i + 1));
            this.onObject({ text: this.#pieces.join(''), line: this.#objLine });
            this.#pieces = [];
            start = -1;
          }
        }
        continue;
      }
      // Between objects.
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
      if (this.mode === 'array') {
        if (!this.#arrayOpen && c === '[') {
          this.#arrayOpen = true;
          continue;
        }
        if (this.#arrayOpen && !this.#arrayClosed && c === ',') continue;
        if (this.#arrayOpen && !this.#arrayClosed && c === ']') {
          this.#arrayClosed = true;
          continue;
        }
      }
      if (this.#resyncCol !== undefined) {
        // The rest of a broken object: its inner objects are not events.
        if (c !== '{' || col > this.#resyncCol) continue;
        this.#resyncCol = undefined;
      }
      if (c === '{') {
        this.#depth = 1;
        this.#objLine = this.#line;
        this.#objCol = col;
        start = i;
        continue;
      }
      // Not an object. An element of the array is skipped to its own end, not to the end of the line: a
      // minified array is one line, and the events after it must still be read.
      const element = this.mode === 'array' && this.#arrayOpen && !this.#arrayClosed;
      const kind = !element
        ? 'line'
        : c === '"'
          ? 'string'
          : c === '['
            ? 'array'
            : /[-0-9a-z]/.test(c)
              ? 'token'
              : 'line';
      this.#stray = { kind, line: this.#line, head: c, depth: 1, inString: false, escape: false };
    }
    if (this.#depth > 0 && start >= 0) this.#pieces.push(text.slice(start));
  }

  /** One character of a stray stretch (`#stray`); false when it ends the stretch and is to be read as usual. */
  #skipStray(c: string): boolean {
    const s = this.#stray!;
    switch (s.kind) {
      case 'string':
        if (s.escape) s.escape = false;
        else if (c === '\\') s.escape = true;
        else if (c === '"') this.#strayEnds();
        else if (c === '\n') this.#strayEnds('a string that is never closed');
        return true;
      case 'array':
        if (s.inString) {
          if (s.escape) s.escape = false;
          else if (c === '\\') s.escape = true;
          else if (c === '"' || c === '\n') s.inString = false;
        } else if (c === '"') s.inString = true;
        else if (c === '[' || c === '{') s.depth++;
        else if ((c === ']' || c === '}') && --s.depth === 0) this.#strayEnds();
        return true;
      case 'token':
        if (c === ',' || c === ']' || c === '}' || c === ' ' || c === '\t' || c === '\r' || c === '\n') {
          this.#strayEnds();
          return false;
        }
        if (s.head.length < HEAD) s.head += c;
        return true;
      case 'line':
        if (c === '\n') this.#strayEnds();
        else if (s.head.length < HEAD) s.head += c;
        return true;
    }
  }

  /** Report the stray stretch that just ended, by what it is. */
  #strayEnds(reason?: string): void {
    const s = this.#stray!;
    this.#stray = undefined;
    this.onProblem({ line: s.line, reason: reason ?? strayReason(s) });
  }

  #reset(): void {
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    this.#pieces = [];
  }
}

/**
 * What a first line that starts with `{` says of the file. A line that is JSON by itself is NDJSON's first
 * line; otherwise it starts a pretty-printed object (or several objects on one line). A line not ended
 * within `MAX_SNIFF` (`cut`) cannot be parsed whole: it is NDJSON's unless its first object ends in it with
 * more after it. A pretty-printed object's first line is `{` alone, so a megabyte of one object on one
 * line is a minified event, however long its line (a large decoded payload), and the file one per line.
 */
function firstLineMode(line: string, cut: boolean): SplitMode {
  if (!cut) return isJson(line.trim()) ? 'lines' : 'objects';
  const end = objectEnd(line);
  return end < 0 || !line.slice(end).trim() ? 'lines' : 'objects';
}

/** Where the object `text` starts with ends (the index after its `}`), or -1 when it does not end in `text`. */
function objectEnd(text: string): number {
  let depth = 0;
  let inString = false;
  let escape = false;
  for (let i = text.indexOf('{'); i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escape) escape = false;
      else if (c === 0x5c) escape = true;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return i + 1;
  }
  return -1;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function strayReason(s: Stray): string {
  if (s.kind === 'string') return notAnObject('');
  if (s.kind === 'array') return notAnObject([]);
  const text = s.head.trim();
  if (s.head.length < HEAD && isJson(text)) return notAnObject(JSON.parse(text));
  if (LOG_LINE.test(s.head)) return LOG_LINE_REASON;
  // Control characters shown as dots, as import-session shows what JSON.parse quotes.
  const shown = Array.from(text.slice(0, 40), (ch) => (ch.charCodeAt(0) < 32 || ch === '\ufffd' ? '·' : ch)).join('');
  return `not valid JSON ("${shown}${text.length > 40 || s.head.length >= HEAD ? '…' : ''}")`;
}
