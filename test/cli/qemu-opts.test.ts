import { describe, expect, it } from 'vitest';
import { OptsError, parseBool, parseHostPort, parseOpts, parseSize, parseUint, splitOpts } from '../../host-ts/cli/qemu-opts.js';

const kv = (t: string, implied?: string) => Object.fromEntries(parseOpts(t, implied).values);

describe('QEMU suboption grammar', () => {
  it('splits on commas, ",," is a literal comma', () => {
    expect(splitOpts('a=1,b=2')).toEqual(['a=1', 'b=2']);
    expect(splitOpts('file,path=/tmp/a,,b,id=x')).toEqual(['file', 'path=/tmp/a,b', 'id=x']);
    expect(splitOpts('a=,,,,')).toEqual(['a=,,']);
    expect(splitOpts('')).toEqual(['']);
  });
  it('takes the implied key from a leading bare word', () => {
    expect(kv('tap,id=n0,ifname=tap0', 'type')).toEqual({ type: 'tap', id: 'n0', ifname: 'tap0' });
    expect(kv('512M', 'size')).toEqual({ size: '512M' });
    expect(kv('size=1G', 'size')).toEqual({ size: '1G' });
  });
  it('reads bare words after the first as booleans (server, nowait)', () => {
    expect(kv('unix:/tmp/q,server,nowait', 'path')).toEqual({ path: 'unix:/tmp/q', server: 'on', wait: 'off' });
  });
  it('keeps the last of repeated keys and values containing "="', () => {
    expect(kv('a=1,a=2,b=x=y')).toEqual({ a: '2', b: 'x=y' });
  });
  it('rejects an empty parameter name', () => {
    expect(() => parseOpts('a=1,', 'x')).toThrow(OptsError);
    expect(() => parseOpts('=1')).toThrow("Invalid parameter ''");
  });
  it('parses booleans as QEMU spells them', () => {
    expect(parseBool('k', 'on')).toBe(true);
    expect(parseBool('k', 'off')).toBe(false);
    expect(parseBool('k', 'yes')).toBe(true);
    expect(() => parseBool('use-rx-buffer-pools', 'maybe')).toThrow("Parameter 'use-rx-buffer-pools' expects 'on' or 'off'");
  });
  it('parses sizes with QEMU suffixes and a default unit', () => {
    expect(parseSize('size', '512', 2 ** 20)).toBe(512 * 2 ** 20);
    expect(parseSize('size', '512M', 2 ** 20)).toBe(512 * 2 ** 20);
    expect(parseSize('size', '1G', 2 ** 20)).toBe(2 ** 30);
    expect(parseSize('size', '1g', 2 ** 20)).toBe(2 ** 30);
    expect(parseSize('size', '1.5G', 2 ** 20)).toBe(1.5 * 2 ** 30);
    expect(parseSize('size', '262144k', 2 ** 20)).toBe(2 ** 28);
    expect(parseSize('size', '4096B', 2 ** 20)).toBe(4096);
    for (const bad of ['1X', '', '-1', '1.5', 'G']) expect(() => parseSize('size', bad, 2 ** 20)).toThrow(OptsError);
  });
  it('parses C integers', () => {
    expect(parseUint('reg', '0x71000002')).toBe(0x71000002);
    expect(parseUint('reg', '17')).toBe(17);
    expect(parseUint('reg', '010')).toBe(8);
    expect(() => parseUint('reg', '0x1ffffffff')).toThrow(OptsError);
    expect(() => parseUint('reg', 'abc')).toThrow("Parameter 'reg' expects a number");
  });
  it('parses HOST:PORT', () => {
    expect(parseHostPort('127.0.0.1:1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(parseHostPort(':1234')).toEqual({ host: '', port: 1234 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseHostPort('nonsense')).toThrow("host address 'nonsense' doesn't contain ':' separating host from port");
    expect(() => parseHostPort('h:99999')).toThrow(OptsError);
  });
});
