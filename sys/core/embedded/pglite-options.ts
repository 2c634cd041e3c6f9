// How this process runs an embedded PGlite: the same options for the server, a backup, a restore check and
// a merge, so a cluster is never opened without the extension or the parsers it was written with.
import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { createPostgreSqlTypeParsers } from "@mikro-orm/sql";
import array from "postgres-array";

/**
 * PostgreSQL's defaults size a server with memory to spare: its 128 MB of shared buffers are allocated and
 * touched at start. A small install's working set fits in far less, the OS page cache keeps the rest of the
 * files warm, and the WASM heap never shrinks once an index build or a sort has grown it.
 */
const SETTINGS: Record<string, string> = {
  shared_buffers: "16MB",
  maintenance_work_mem: "16MB",
};

/**
 * V8 compiles PostgreSQL's WASM quickly (Liftoff), then recompiles its hot functions optimised in the background;
 * both copies and the compiler's scratch memory stay resident, about 60 MB. Keeping the quick code only costs
 * the embedded store ~15 % on heavy aggregates and nothing measurable on point reads and writes, and the process
 * stays small enough for a 1 GB machine. It must be set before the first WASM compile, so each open sets it
 * (a no-op after the first); PostgreSQL deployments never open PGlite and keep V8's defaults.
 */
function keepWasmCodeSmall(): void {
  setFlagsFromString("--liftoff-only");
}

/** Options every embedded PGlite gets, whoever opens it (the server, a backup, a restore check). */
export function pgliteOptions() {
  keepWasmCodeSmall();
  return {
    // The places search's pg_trgm lives in the cluster once sys migrated; PGlite needs the code for it at start.
    extensions: { pg_trgm },
    // The ORM's own parsers: dates and timestamps stay strings, as its PGlite driver would have set.
    parsers: createPostgreSqlTypeParsers((text: string) => array.parse(text)),
    startParams: [...PGlite.defaultStartParams, ...Object.entries(SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`])],
  };
}
