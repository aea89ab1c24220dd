// The table of hypercalls completed inside Wasm. Each device module registers its opcodes here,
// by number (QEMU spapr_register_hypercall style). Returns false for an opcode handled by the host.
import {
  H_VIO_SIGNAL, H_GET_TCE, H_PUT_TCE, H_STUFF_TCE, H_PUT_TCE_INDIRECT,
  H_REGISTER_LOGICAL_LAN, H_FREE_LOGICAL_LAN, H_ADD_LOGICAL_LAN_BUFFER, H_SEND_LOGICAL_LAN,
  H_MULTICAST_CTRL, H_CHANGE_LOGICAL_LAN_MAC, H_ILLAN_ATTRIBUTES, H_ADD_LOGICAL_LAN_BUFFERS, H_CEDE,
} from '../gen/layout';
import { hCede } from '../cpu/idle';
import { hVioSignal } from '../dev/vio';
import { hPutTce, hGetTce, hStuffTce, hPutTceIndirect } from '../dev/tce';
import {
  hRegisterLogicalLan, hFreeLogicalLan, hAddLogicalLanBuffer, hAddLogicalLanBuffers,
  hMulticastCtrl, hChangeLogicalLanMac, hIllanAttributes,
} from '../dev/llan-hcalls';
import { hSendLogicalLan } from '../dev/llan-tx';

/** Runs the fast handler for `opcode` if there is one; true when the call completed. */
export function hcallFast(opcode: u64): bool {
  if (opcode > 0xffff) return false;
  switch (<u32>opcode) {
    case <u32>H_VIO_SIGNAL: hVioSignal(); return true;
    case <u32>H_CEDE: hCede(); return true; // vCPU idle (cpu/idle.ts)
    // TCE (spec 2.11)
    case <u32>H_GET_TCE: hGetTce(); return true;
    case <u32>H_PUT_TCE: hPutTce(); return true;
    case <u32>H_STUFF_TCE: hStuffTce(); return true;
    case <u32>H_PUT_TCE_INDIRECT: hPutTceIndirect(); return true;
    // spapr-vlan (spec 2.3-2.10)
    case <u32>H_REGISTER_LOGICAL_LAN: hRegisterLogicalLan(); return true;
    case <u32>H_FREE_LOGICAL_LAN: hFreeLogicalLan(); return true;
    case <u32>H_ADD_LOGICAL_LAN_BUFFER: hAddLogicalLanBuffer(); return true;
    case <u32>H_SEND_LOGICAL_LAN: return hSendLogicalLan(); // false: TX staging full, host drains
    case <u32>H_MULTICAST_CTRL: hMulticastCtrl(); return true;
    case <u32>H_CHANGE_LOGICAL_LAN_MAC: hChangeLogicalLanMac(); return true;
    case <u32>H_ILLAN_ATTRIBUTES: hIllanAttributes(); return true;
    case <u32>H_ADD_LOGICAL_LAN_BUFFERS: hAddLogicalLanBuffers(); return true;
    default:
      return false;
  }
}
