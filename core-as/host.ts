// The few numeric host functions core-as imports (STYLE: boundaries). Nothing per packet.

/** Handles the hypercall in r3..r12 on the host (slow path); writes r3.. before returning. */
// @ts-ignore: decorator
@external("env", "hostHcall")
export declare function hostHcall(): void;

/** Trace/log hook: a code and two values; compiled out of release paths by callers. */
// @ts-ignore: decorator
@external("env", "hostLog")
export declare function hostLog(code: u32, a: u64, b: u64): void;
