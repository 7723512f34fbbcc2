/**
 * Lets the event loop run a turn: timers, I/O, worker messages and — what matters most
 * here — FinalizationRegistry callbacks, which free the backend buffers of tensors that
 * became unreachable. Loops over batches call it once per batch so memory stays flat.
 * Uses setImmediate in Node and a MessageChannel elsewhere (no 4 ms timer clamp).
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(0);
  });
}
