// The authorization port of a process that runs sys itself: a direct call into the engine, no transport
// (an in-memory Connect transport would cost ~175 µs a call for nothing). The caller's bearer is not needed.
import type { AuthorizationPort } from "../core/ports/authorization-port.js";
import type { AuthzEngine } from "../core/sys-context.js";

export function createInProcessAuthorization(engine: AuthzEngine): AuthorizationPort {
  return {
    check: (question) => engine.check(question),
    checkBatch: (questions) => engine.checkBatch(questions),
    isAvailable: () => true,
    invalidate: () => engine.invalidate?.(),
  };
}
