// QEMU's suboption grammar ("key=val,key=val"), shared by -machine, -netdev, -device, -object...
// No npm argument parser speaks it (single-dash long options, an implied first key, ",," as an
// escaped comma, "flag"/"noflag" booleans), so it is hand-written here: small and fully tested.

export class OptsError extends Error {}

export interface ParsedOpts {
  /** Keys in order of appearance; a repeated key keeps its last value (QemuOpts behaviour). */
  readonly values: Map<string, string>;
}

/**
 * Splits `text` on single commas; ",," stands for a literal comma (QEMU's escape).
 * Each element keeps its position so that the implied key can be recognised.
 */
export function splitOpts(text: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ',') {
      if (text[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/**
 * Parses a suboption string. `impliedKey` names the key of a leading element without '='
 * (e.g. "type" for `-netdev tap,...`, "size" for `-m 512M`). Other elements without '=' are
 * booleans: "server" means server=on, "nowait" means wait=off (QEMU's legacy short form).
 */
export function parseOpts(text: string, impliedKey?: string): ParsedOpts {
  const values = new Map<string, string>();
  const parts = splitOpts(text);
  parts.forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && impliedKey !== undefined) {
        values.set(impliedKey, part);
        return;
      }
      if (part === '') {
        // "a=1," or "a=1,,,b": QEMU rejects an empty parameter name.
        throw new OptsError(`Invalid parameter ''`);
      }
      if (part.startsWith('no') && part.length > 2) values.set(part.slice(2), 'off');
      else values.set(part, 'on');
      return;
    }
    const key = part.slice(0, eq);
    if (key === '') throw new OptsError(`Invalid parameter ''`);
    values.set(key, part.slice(eq + 1));
  });
  return { values };
}

/** QEMU's boolean spelling: on/off (also yes/no, true/false, as qapi accepts). */
export function parseBool(key: string, v: string): boolean {
  switch (v) {
    case 'on': case 'yes': case 'true': case 'y': return true;
    case 'off': case 'no': case 'false': case 'n': return false;
    default: throw new OptsError(`Parameter '${key}' expects 'on' or 'off'`);
  }
}

const SIZE_SUFFIX: Record<string, number> = {
  B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60,
};

/**
 * QEMU's size syntax (qemu_strtosz): a number with an optional k/M/G/T/P/E suffix (any case);
 * `defaultUnit` applies without a suffix (-m counts MiB). A fraction needs a suffix.
 */
export function parseSize(key: string, text: string, defaultUnit = 1): number {
  const m = /^\s*(\d+(?:\.\d+)?)([bBkKmMgGtTpPeE]?)$/.exec(text);
  const bad = () => new OptsError(
    `Parameter '${key}' expects a non-negative number below 2^64 ` +
    '(optional suffix k, M, G, T, P or E)');
  if (!m) throw bad();
  const [, num, suf] = m;
  const unit = suf ? SIZE_SUFFIX[suf.toUpperCase()] : defaultUnit;
  if (num.includes('.') && !suf) throw bad();
  const v = Number(num) * unit;
  if (!Number.isFinite(v) || v >= 2 ** 64) throw bad();
  return Math.round(v);
}

/** An unsigned integer in C syntax (decimal, 0x hex, 0 octal), as QEMU's uint properties take. */
export function parseUint(key: string, text: string, max = 0xffff_ffff): number {
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) v = parseInt(text.slice(1), 8);
  else if (/^\d+$/.test(text)) v = Number(text);
  else throw new OptsError(`Parameter '${key}' expects a number`);
  if (v > max) throw new OptsError(`Parameter '${key}' expects a number up to ${max}`);
  return v;
}

/** HOST:PORT (host may be empty, a name, an IPv4 address or [IPv6]). */
export function parseHostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  if (i < 0) throw new OptsError(`host address '${text}' doesn't contain ':' separating host from port`);
  let host = text.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const portText = text.slice(i + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
    throw new OptsError(`port '${portText}' is not a valid port number`);
  }
  return { host, port: Number(portText) };
}
