// Polling wait shared by the tests that watch sockets, processes and machines running on the
// event loop: resolves once `cond` holds, fails naming `what` after `ms`.
export async function until(
  cond: () => boolean | Promise<boolean>,
  what = 'condition',
  ms = 5000,
  everyMs = 2,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
