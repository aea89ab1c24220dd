// Cuts a QMP byte stream into messages the way QEMU's JSON streamer does: a message ends when
// the brace and bracket depths return to zero (or go negative) after a token, so newlines are
// not required and several messages may share a line. A lexical error, or a message over the
// size or nesting limits, discards what was buffered and reports one error; the stream goes on.
import { JsonLexer, JsonParseError, parseTokens, type JsonValue, type Token } from './json-value.js';

/** Limits on one message (QEMU: 64 MiB, 2M tokens, depth 1024); ours are tighter, QMP messages are small. */
export const MAX_MESSAGE_CHARS = 1 << 20;
export const MAX_NESTING = 1024;

export interface JsonStreamSink {
  message(v: JsonValue): void;
  /** `desc` is QEMU's error text, e.g. "JSON parse error, expecting value". */
  error(desc: string): void;
}

export class JsonStreamer {
  private readonly lexer: JsonLexer;
  private tokens: Token[] = [];
  private braces = 0;
  private brackets = 0;
  private chars = 0;
  private discarding = false;
  private discardDepth = 0;

  constructor(private readonly sink: JsonStreamSink) {
    this.lexer = new JsonLexer((t) => this.token(t), MAX_MESSAGE_CHARS + 1);
  }

  feed(chunk: string): void {
    for (const c of chunk) {
      this.lexer.feed(c);
      if (this.discarding || (this.tokens.length === 0 && !this.lexer.busy)) continue;
      if (++this.chars > MAX_MESSAGE_CHARS) this.overflow('JSON token size limit exceeded');
    }
  }

  private token(t: Token): void {
    if (this.discarding) {
      // The lexer keeps running while we discard, so strings containing brackets do not fool the depth.
      if (t.kind === '{' || t.kind === '[') this.discardDepth++;
      else if (t.kind === '}' || t.kind === ']') this.discardDepth--;
      if (this.discardDepth <= 0) this.discarding = false;
      return;
    }
    if (t.kind === 'error') {
      this.clear();
      this.sink.error(`JSON parse error, stray '${t.text}'`);
      return;
    }
    this.tokens.push(t);
    if (t.kind === '{') this.braces++;
    else if (t.kind === '}') this.braces--;
    else if (t.kind === '[') this.brackets++;
    else if (t.kind === ']') this.brackets--;
    if (this.braces + this.brackets > MAX_NESTING) {
      this.overflow('JSON nesting depth limit exceeded');
      return;
    }
    if (this.braces < 0 || this.brackets < 0 || (this.braces === 0 && this.brackets === 0)) this.emit();
  }

  private emit(): void {
    const tokens = this.tokens;
    this.clear();
    let v: JsonValue;
    try {
      v = parseTokens(tokens);
    } catch (e) {
      if (!(e instanceof JsonParseError)) throw e;
      this.sink.error(`JSON parse error, ${e.message}`);
      return;
    }
    this.sink.message(v);
  }

  /** Reports once, then drops tokens until the oversized message ends (its depth returns to zero,
   *  or, for a top-level scalar, its token completes). */
  private overflow(desc: string): void {
    this.discardDepth = this.braces + this.brackets;
    this.discarding = true;
    this.clear();
    this.sink.error(desc);
  }

  private clear(): void {
    this.tokens = [];
    this.braces = 0;
    this.brackets = 0;
    this.chars = 0;
  }
}
