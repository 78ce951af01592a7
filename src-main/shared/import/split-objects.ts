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

  constructor(
    private readonly onObject: (o: SplitObject) => void,
    private readonly onProblem: (p: SplitProblem) => void,
  ) {}

  feed(chunk: string): void {
    if (this.mode === undefined) {
      this.#sniff += chunk;
      const start = this.#sniff.search(/\S/);
      if (start < 0) return;
      const first = this.#sniff[start];
      if (first === '[') this.mode = 'array';
      else if (first === '{') {
        const nl = this.#sniff.indexOf('\n', start);
        if (nl < 0 && this.#sniff.length < 1024 * 1024) return; // need the whole first line to decide
        const firstLine = this.#sniff.slice(start, nl < 0 ? undefined : nl).trim();
        this.mode = isJson(firstLine) ? 'lines' : 'objects';
      } else this.mode = 'lines'; // not JSON at all: line mode reports each bad line
      const text = this.#sniff;
      this.#sniff = '';
      this.#consume(text);
      return;
    }
    this.#consume(chunk);
  }

  end(): void {
    if (this.mode === undefined) {
      const text = this.#sniff;
      this.#sniff = '';
      if (!text.trim()) return;
      this.mode = 'lines';
      this.#consume(text);
    }
    if (this.mode === 'lines') {
      if (this.#partial.trim()) this.#emitLine(this.#partial, this.#line);
      this.#partial = '';
      return;
    }
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
      this.onProblem({ line: this.#line, reason: `unexpected "${c}" between objects` });
      // Skip the rest of this line.
      const nl = text.indexOf('\n', i);
      if (nl < 0) return;
      i = nl - 1;
    }
    if (this.#depth > 0 && start >= 0) this.#pieces.push(text.slice(start));
  }

  #reset(): void {
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    this.#pieces = [];
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
