// QMP's JSON dialect, as QEMU 7.2 speaks it on the wire (checked against qemu-system-ppc64 7.2;
// transcripts in test/qmp/fixtures/). Input: a lexer fed character by character (the streamer
// needs token boundaries to know where a message ends) and a parser over one message's tokens,
// both giving QEMU's error texts. Output: QEMU's spacing (`{"a": 1, "b": [1, 2]}`) and escapes.

/** A JSON value as QMP carries it; integers outside the safe range stay exact as bigint. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export type TokenKind = '{' | '}' | '[' | ']' | ',' | ':' | 'string' | 'number' | 'keyword' | 'error';

export interface Token {
  kind: TokenKind;
  /** Raw text of the token (strings keep their quotes and escapes; decoded by the parser). */
  text: string;
}

export class JsonParseError extends Error {}

const enum LexState { Start, String, StringEscape, Number, Keyword, Recovery }

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const STRUCTURAL = '{}[],:';
const NUMBER_RE = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Incremental lexer. Numbers and keywords end at the first character that cannot extend them,
 * so a top-level scalar completes only when the next character arrives (as in QEMU).
 */
export class JsonLexer {
  private state = LexState.Start;
  private text = '';
  private quote = '"';

  /** `maxToken` caps the text kept for one token (the streamer rejects such a message anyway). */
  constructor(private readonly emit: (t: Token) => void, private readonly maxToken = Infinity) {}

  feed(chunk: string): void {
    for (const c of chunk) this.char(c);
  }

  /** Drops a partial token (used after the streamer discards a message). */
  reset(): void {
    this.state = LexState.Start;
    this.text = '';
  }

  /** True while inside a token (a string, number or keyword not yet complete). */
  get busy(): boolean {
    return this.state !== LexState.Start && this.state !== LexState.Recovery;
  }

  private add(c: string): void {
    if (this.text.length < this.maxToken) this.text += c;
  }

  private char(c: string): void {
    switch (this.state) {
      case LexState.String:
        this.add(c);
        if (c === '\\') this.state = LexState.StringEscape;
        else if (c === this.quote) this.finish('string');
        else if (c < ' ') this.fail(); // raw control characters are not allowed in strings
        return;
      case LexState.StringEscape:
        this.add(c);
        this.state = LexState.String;
        return;
      case LexState.Number:
        if (isDigit(c) || c === '.' || c === 'e' || c === 'E' || c === '+' || c === '-') {
          this.add(c);
          if (/^-?0[0-9]/.test(this.text)) this.fail(); // QEMU rejects at the digit after a leading 0
          return;
        }
        if (NUMBER_RE.test(this.text)) {
          this.finish('number');
          break;
        }
        this.fail();
        this.char(c);
        return;
      case LexState.Keyword:
        if (isAlpha(c)) {
          this.add(c);
          return;
        }
        this.finish('keyword');
        break;
      case LexState.Recovery:
        // After an error QEMU skips the rest of the bad token: up to whitespace or a structural character.
        if (!isSpace(c) && !STRUCTURAL.includes(c)) return;
        this.state = LexState.Start;
        break;
      case LexState.Start:
        break;
    }
    // Start state: c begins a new token.
    if (isSpace(c)) return;
    if (c === '{' || c === '}' || c === '[' || c === ']' || c === ',' || c === ':') {
      this.emit({ kind: c, text: c });
    } else if (c === '"' || c === "'") {
      this.quote = c;
      this.text = c;
      this.state = LexState.String;
    } else if (c === '-' || isDigit(c)) {
      this.text = c;
      this.state = LexState.Number;
    } else if (isAlpha(c)) {
      this.text = c;
      this.state = LexState.Keyword;
    } else {
      this.text = c;
      this.fail();
    }
  }

  private finish(kind: TokenKind): void {
    const text = this.text;
    this.reset();
    this.emit({ kind, text });
  }

  private fail(): void {
    this.finish('error');
    this.state = LexState.Recovery;
  }
}

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

function decodeNumber(text: string): number | bigint {
  if (/^-?[0-9]+$/.test(text)) {
    const v = BigInt(text);
    // QEMU keeps int64 and uint64 exactly and turns larger integers into doubles.
    if (v >= INT64_MIN && v <= UINT64_MAX) return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  }
  return Number(text);
}

function decodeString(raw: string): string {
  let out = '';
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[++i];
    switch (e) {
      case '"': case '\\': case '/': case "'": out += e; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const hex = raw.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonParseError('invalid escape sequence in string');
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        throw new JsonParseError('invalid escape sequence in string');
    }
  }
  return out;
}

/** Parses one message's tokens (as cut by the streamer); throws JsonParseError with QEMU's text. */
export function parseTokens(tokens: Token[]): JsonValue {
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];

  const value = (): JsonValue => {
    const t = tokens[pos++];
    if (!t) throw new JsonParseError('expecting value');
    switch (t.kind) {
      case '{': return object();
      case '[': return array();
      case 'string': return decodeString(t.text);
      case 'number': return decodeNumber(t.text);
      case 'keyword':
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        if (t.text === 'null') return null;
        throw new JsonParseError(`invalid keyword '${t.text}'`);
      default:
        throw new JsonParseError('expecting value');
    }
  };

  const object = (): JsonObject => {
    const obj: JsonObject = {};
    if (peek()?.kind === '}') {
      pos++;
      return obj;
    }
    for (;;) {
      const key = value();
      if (typeof key !== 'string') throw new JsonParseError('key is not a string in object');
      if (peek()?.kind !== ':') throw new JsonParseError('missing : in object pair');
      pos++;
      obj[key] = value();
      const sep = tokens[pos++];
      if (sep?.kind === '}') return obj;
      if (sep?.kind !== ',') throw new JsonParseError('expected separator in dict');
    }
  };

  const array = (): JsonValue[] => {
    const arr: JsonValue[] = [];
    if (peek()?.kind === ']') {
      pos++;
      return arr;
    }
    for (;;) {
      arr.push(value());
      const sep = tokens[pos++];
      if (sep?.kind === ']') return arr;
      if (sep?.kind !== ',') throw new JsonParseError('expected separator in list');
    }
  };

  return value();
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    // QEMU escapes control characters, DEL and everything outside ASCII as \uXXXX (UTF-16 units).
    else if (code < 0x20 || code >= 0x7f) out += '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

/** C's printf("%.17g"), which QEMU uses for doubles (2**64 -> 1.8446744073709552e+19, 1.0 -> 1). */
export function formatG17(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential(16).split('e');
  const exp = Number(expText);
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 17) {
    const e = Math.abs(exp);
    return `${strip(mant)}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  return strip(x.toFixed(16 - exp));
}

/** Serializes like QEMU's monitor output. Non-finite numbers become null (QEMU prints `inf`, which is not JSON). */
export function toQmpJson(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number': return Number.isFinite(v) ? formatG17(v) : 'null';
    case 'string': return escapeString(v);
  }
  if (Array.isArray(v)) return '[' + v.map(toQmpJson).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x !== undefined) parts.push(escapeString(k) + ': ' + toQmpJson(x));
  }
  return '{' + parts.join(', ') + '}';
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
