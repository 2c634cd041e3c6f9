// Packages that only some requests or settings need (mail, templates, HTML sanitising, phone numbers, JSON Schema,
// the tracing SDK, the outbound HTTP client) are loaded on first use: importing them all at start-up cost about a
// third of polityd's start time and tens of MB on a server that may never send a mail.
import { createRequire } from "node:module";

const requireFromHere = createRequire(import.meta.url);

/**
 * `load()` returns the package's exports, loading it on the first call. Node's `require` loads CommonJS and,
 * since Node 22.12, ES modules too (their named exports, plus `default`). Type it with `typeof import("pkg")`.
 */
export function lazyModule<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(specifier) as T);
}
