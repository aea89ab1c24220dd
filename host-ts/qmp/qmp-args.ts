// Command argument checking with QEMU's QAPI input-visitor messages:
//   "Parameter 'x' is unexpected", "Parameter 'uri' is missing",
//   "Invalid parameter type for 'uri', expected: string".
import { genericError } from './qmp-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.js';

export type ArgType = 'str' | 'bool' | 'int' | 'number' | 'any' | ['str'];

export interface ArgSpec {
  type: ArgType;
  optional?: boolean;
  /** An enum: the accepted strings (for 'str', or each element of ['str']). */
  values?: string[];
}

export type ArgsSchema = Record<string, ArgSpec>;

/** QAPI's names for types in "expected: ..." messages. */
const EXPECTED: Record<string, string> = { str: 'string', bool: 'boolean', int: 'integer', number: 'number' };

function check(name: string, type: ArgType, v: JsonValue): void {
  if (Array.isArray(type)) {
    if (!Array.isArray(v)) throw genericError(`Invalid parameter type for '${name}', expected: array`);
    v.forEach((x, i) => check(`${name}[${i}]`, type[0], x));
    return;
  }
  const ok =
    type === 'any' ||
    (type === 'str' && typeof v === 'string') ||
    (type === 'bool' && typeof v === 'boolean') ||
    (type === 'int' && (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) ||
    (type === 'number' && (typeof v === 'number' || typeof v === 'bigint'));
  if (!ok) throw genericError(`Invalid parameter type for '${name}', expected: ${EXPECTED[type]}`);
}

/** Validates `args` (already known to be an object or absent) against `schema`; returns the object. */
export function checkArgs(schema: ArgsSchema, args: JsonObject | undefined): JsonObject {
  const a = args ?? {};
  // Members in schema order first, then leftovers (the order QEMU's visitor reports them).
  for (const [key, spec] of Object.entries(schema)) {
    if (!(key in a)) {
      if (!spec.optional) throw genericError(`Parameter '${key}' is missing`);
      continue;
    }
    check(key, spec.type, a[key]);
    if (spec.values && !spec.values.includes(a[key] as string)) {
      throw genericError(`Parameter '${key}' does not accept value '${String(a[key])}'`);
    }
  }
  for (const key of Object.keys(a)) {
    if (!(key in schema)) throw genericError(`Parameter '${key}' is unexpected`);
  }
  return a;
}

export { isJsonObject };
