// A minimal QMP client for tests: JSON lines in, one message per line out (what qmp-shell and
// python's qemu.qmp expect). Keeps the raw lines so tests can assert exact bytes.
import net from 'node:net';

export class QmpTestClient {
  readonly lines: string[] = [];
  private buf = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i));
        this.buf = this.buf.slice(i + 2);
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(where: string | number): Promise<QmpTestClient> {
    return new Promise((resolve, reject) => {
      const s = typeof where === 'number' ? net.createConnection(where, '127.0.0.1') : net.createConnection(where);
      s.once('connect', () => resolve(new QmpTestClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `n` lines have arrived (or the socket closed); rejects after `ms`. */
  async waitLines(n: number, ms = 3000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (this.lines.length < n && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} lines, have ${JSON.stringify(this.lines)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.lines.slice(0, n);
  }

  /** Lines received so far, parsed, from index `from`. */
  messages(from = 0): any[] {
    return this.lines.slice(from).map((l) => JSON.parse(l));
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Sends one command and waits for its answer (return or error); returns every line received on the way. */
  async execute(execute: string, args?: object, id?: unknown): Promise<{ answer: any; events: any[] }> {
    const start = this.lines.length;
    const msg: Record<string, unknown> = { execute };
    if (args) msg.arguments = args;
    if (id !== undefined) msg.id = id;
    this.send(JSON.stringify(msg) + '\n');
    for (let n = start + 1; ; n++) {
      await this.waitLines(n);
      if (this.lines.length < n) throw new Error(`connection closed before the answer to ${execute}`);
      const m = JSON.parse(this.lines[n - 1]);
      if ('return' in m || 'error' in m) return { answer: m, events: this.messages(start).filter((x) => 'event' in x) };
    }
  }

  async closedPromise(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Replaces event timestamps so transcripts compare exactly. */
export const maskTimestamps = (line: string) =>
  line.replace(/"timestamp": \{"seconds": \d+, "microseconds": \d+\}/, '"timestamp": {"seconds": 0, "microseconds": 0}');
