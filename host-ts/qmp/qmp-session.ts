// One QMP client connection: greeting, capabilities negotiation, request checks with QEMU's
// messages, in-order dispatch (a slow command delays the answers after it, as in QEMU), events
// once negotiated. Transport-free: the server hands it text and a write function.
import { JsonStreamer } from './json-stream.js';
import { isJsonObject, toQmpJson, type JsonObject, type JsonValue } from './json-value.js';
import { QmpError, genericError } from './qmp-error.js';
import { checkArgs } from './qmp-args.js';
import { COMMANDS, type CommandContext, type QmpCommand, type QmpVersion } from './qmp-commands.js';
import type { QmpEvent, QmpTarget } from './qmp-target.js';

const CAPABILITIES_ARGS = { enable: { type: ['str'] as ['str'], optional: true } };
/** Capabilities offered in the greeting and accepted by qmp_capabilities (QEMU 7.2 offers oob). */
const CAPABILITIES = ['oob'];

/** Wall-clock timestamp as QEMU puts on events: seconds and microseconds since the epoch. */
export function qmpTimestamp(nowMs = performance.timeOrigin + performance.now()): { seconds: number; microseconds: number } {
  const us = Math.floor(nowMs * 1000);
  return { seconds: Math.floor(us / 1e6), microseconds: us % 1e6 };
}

export interface SessionOptions {
  target: QmpTarget;
  version: QmpVersion;
  commands?: QmpCommand[];
  write(line: string): void;
  /** Called after the answer to a successful `quit` has been written. */
  onQuit?(): void;
}

export class QmpSession {
  private negotiated = false;
  private oob = false;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly streamer: JsonStreamer;
  private readonly commands: Map<string, QmpCommand>;
  private readonly ctx: CommandContext;

  constructor(private readonly opts: SessionOptions) {
    const available = (opts.commands ?? COMMANDS).filter((c) => c.available?.(opts.target) ?? true);
    this.commands = new Map(available.map((c) => [c.name, c]));
    this.ctx = {
      target: opts.target,
      version: opts.version,
      commandNames: () => ['qmp_capabilities', ...this.commands.keys()],
    };
    this.streamer = new JsonStreamer({
      message: (v) => this.enqueue(() => this.request(v)),
      error: (desc) => this.enqueue(() => this.send({ error: { class: 'GenericError', desc } })),
    });
  }

  greeting(): void {
    const v = this.opts.version;
    this.send({ QMP: { version: { qemu: { micro: v.micro, minor: v.minor, major: v.major }, package: v.package }, capabilities: CAPABILITIES } });
  }

  /** Feeds received text (already UTF-8 decoded). */
  input(text: string): void {
    if (!this.closed) this.streamer.feed(text);
  }

  /** Sends an event if the client has negotiated (QEMU sends none before). */
  event(e: QmpEvent): void {
    if (!this.negotiated || this.closed) return;
    const msg: JsonObject = { timestamp: qmpTimestamp(), event: e.event };
    if (e.data) msg.data = e.data;
    this.send(msg);
  }

  close(): void {
    this.closed = true;
  }

  /** Resolves when every request received so far has been answered. */
  drain(): Promise<void> {
    return this.queue;
  }

  private enqueue(job: () => void | Promise<void>): void {
    this.queue = this.queue.then(job).catch((e) => {
      // A handler bug must not kill the connection: answer like QEMU would for an internal failure.
      this.send({ error: { class: 'GenericError', desc: e instanceof Error ? e.message : String(e) } });
    });
  }

  private send(msg: JsonObject): void {
    if (!this.closed) this.opts.write(toQmpJson(msg) + '\r\n');
  }

  private async request(req: JsonValue): Promise<void> {
    let id: JsonValue | undefined;
    let quit = false;
    try {
      if (!isJsonObject(req)) throw genericError('QMP input must be a JSON object');
      if ('id' in req) id = req.id;
      const { name, args, oob } = this.checkRequest(req);
      const result = await this.dispatch(name, args, oob);
      quit = name === 'quit';
      this.send(id === undefined ? { return: result } : { return: result, id });
    } catch (e) {
      const err = e instanceof QmpError ? e : genericError(e instanceof Error ? e.message : String(e));
      const error = { class: err.errorClass, desc: err.message };
      this.send(id === undefined ? { error } : { id, error });
    }
    if (quit) this.opts.onQuit?.();
  }

  /** The request envelope checks, in QEMU's order (members one by one, then execute/exec-oob). */
  private checkRequest(req: JsonObject): { name: string; args: JsonObject | undefined; oob: boolean } {
    for (const [key, v] of Object.entries(req)) {
      if (key === 'execute' || (key === 'exec-oob' && this.oob)) {
        if (typeof v !== 'string') throw genericError(`QMP input member '${key}' must be a string`);
      } else if (key === 'arguments') {
        if (!isJsonObject(v)) throw genericError("QMP input member 'arguments' must be an object");
      } else if (key !== 'id') {
        throw genericError(`QMP input member '${key}' is unexpected`);
      }
    }
    const exec = req.execute as string | undefined;
    const execOob = req['exec-oob'] as string | undefined;
    if (exec !== undefined && execOob !== undefined) throw genericError("QMP input member 'execute' clashes with 'exec-oob'");
    if (exec === undefined && execOob === undefined) throw genericError("QMP input lacks member 'execute'");
    return { name: (exec ?? execOob)!, args: req.arguments as JsonObject | undefined, oob: execOob !== undefined };
  }

  private async dispatch(name: string, args: JsonObject | undefined, oob: boolean): Promise<JsonValue> {
    if (!this.negotiated) {
      if (name !== 'qmp_capabilities') throw new QmpError('CommandNotFound', "Expecting capabilities negotiation with 'qmp_capabilities'");
      return this.capabilities(args);
    }
    if (name === 'qmp_capabilities') throw new QmpError('CommandNotFound', 'Capabilities negotiation is already complete, command ignored');
    const cmd = this.commands.get(name);
    if (!cmd) throw new QmpError('CommandNotFound', `The command ${name} has not been found`);
    if (oob) throw genericError(`The command ${name} does not support OOB`);
    return cmd.run(this.ctx, checkArgs(cmd.args, args));
  }

  private capabilities(args: JsonObject | undefined): JsonValue {
    const a = checkArgs(CAPABILITIES_ARGS, args);
    const enable = (a.enable ?? []) as string[];
    for (const cap of enable) {
      // QEMU 7.2's exact wording for a list element (the element has no name).
      if (!CAPABILITIES.includes(cap)) throw genericError(`Parameter 'null' does not accept value '${cap}'`);
    }
    this.oob = enable.includes('oob');
    this.negotiated = true;
    return {};
  }
}
