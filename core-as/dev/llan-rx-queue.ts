// The guest's RX queue (spec 3.4, 4.6) and the dropped-frame counter (spec 3.3, 4.7).
import { vlanBufList, vlanRxqPtr, vlanSetRxqPtr } from '../gen/layout';
import { SCRATCH_TMP } from '../mem/scratch';
import { BAD_HOFF, st8, st16be, st32be, ramCopyIn } from '../mem/ram';
import { iobaToHoff, dmaLd64, dmaSt64, dmaSt32, dmaSt16, dmaSt8, dmaRead, TCE_WRITE } from './tce';
import { VLAN_BD_TOGGLE, VLAN_BL_COUNTER, VLAN_RXQC_TOGGLE, VLAN_RXQC_VALID, VLAN_RX_HDR, bdAddr, bdLen } from './llan-device';

/** counter_increment() of spec 4.3: BE u64 at buffer list + 4088 (attempts, Q13). */
export function counterIncrement(slot: u32, v: u32): void {
  const at = vlanBufList(v) + VLAN_BL_COUNTER;
  dmaSt64(slot, at, dmaLd64(slot, at) + 1);
}

/**
 * Writes the RX-queue entry for a frame of `size` bytes received into buffer `bd`, then advances
 * rxq_ptr and flips the stored descriptor's TOGGLE on wrap (spec 4.3, 4.6). `rxq` is the queue
 * descriptor as loaded when the receive started. No overflow check (Q10).
 */
export function rxqPush(slot: u32, v: u32, rxq: u64, bd: u64, size: u32): void {
  const ctl: u8 = VLAN_RXQC_VALID | ((rxq & VLAN_BD_TOGGLE) != 0 ? 0 : VLAN_RXQC_TOGGLE);
  // Correlator: the buffer's first 8 bytes, read now and copied verbatim (8 zero bytes if unreadable).
  const corr = SCRATCH_TMP + 0x40;
  if (!dmaRead(slot, bdAddr(bd), corr, 8)) store<u64>(corr, 0);
  const ptr = vlanRxqPtr(v);
  const entry = bdAddr(rxq) + ptr;
  const h = iobaToHoff(slot, entry, 16, TCE_WRITE);
  if (h != BAD_HOFF) {
    // Order of spec 3.4: correlator, length, offset, control byte last.
    ramCopyIn(h + 8, corr, 8);
    st32be(h + 4, size);
    st16be(h + 2, <u16>VLAN_RX_HDR);
    st8(h, ctl);
  } else {
    dmaSt64(slot, entry + 8, bswap<u64>(load<u64>(corr)));
    dmaSt32(slot, entry + 4, size);
    dmaSt16(slot, entry + 2, <u16>VLAN_RX_HDR);
    dmaSt8(slot, entry, ctl);
  }
  const next = ptr + 16;
  if (next >= <u64>bdLen(rxq)) {
    vlanSetRxqPtr(v, 0);
    dmaSt64(slot, vlanBufList(v), rxq ^ VLAN_BD_TOGGLE);
  } else {
    vlanSetRxqPtr(v, next);
  }
}
