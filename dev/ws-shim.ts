/**
 * Node 20 has no global WebSocket, and `@medplum/core` touches it at module evaluation, so importing it
 * throws `ReferenceError: WebSocket is not defined`. This module must be imported BEFORE any `@medplum/*`
 * module: ESM evaluates a module's imports in source order, so `import './ws-shim.js'` on the first line
 * of the importer is enough, with no node flag, from tsx, tap (ts-node) or compiled JS alike.
 *
 * Our dev server never opens a WebSocket (subscriptions are not used), so the stand-in only has to exist;
 * constructing it throws loudly instead of failing silently. On Node 22+ the real one exists and this
 * module does nothing.
 */
if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
  class WebSocketUnavailable {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    constructor() {
      throw new Error('WebSocket is not available in this Node version (dev/ws-shim.ts stand-in)');
    }
  }
  Object.defineProperty(globalThis, 'WebSocket', {
    value: WebSocketUnavailable,
    writable: true,
    configurable: true,
  });
}

export {};
