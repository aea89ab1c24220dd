// spapr-vlan trace points: a code and two values to the host's hostLog import. Compiled out of
// release builds (ASC_NO_ASSERT is true there), so the fast path pays nothing for them.
import { hostLog } from '../host';

export const TRACE_VLAN_REGISTER: u32 = 0x0100;   // a = unit, b = buffer-list ioba
export const TRACE_VLAN_FREE: u32 = 0x0101;       // a = unit
export const TRACE_VLAN_RX_RETRY: u32 = 0x0102;   // a = frame size, b = rx_bufs (spec 4.7)
export const TRACE_VLAN_RX_DROP: u32 = 0x0103;    // a = frame size, b = 0 closed / 1 DMA failure / 2 no-fit bound
export const TRACE_VLAN_FLUSH: u32 = 0x0104;      // a = pending frames, b = virtual ns

// @ts-ignore: decorator
@inline export function traceVlan(code: u32, a: u64, b: u64): void {
  if (!ASC_NO_ASSERT) hostLog(code, a, b);
}
