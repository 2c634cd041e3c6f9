// PGlite makes a new cluster with a second WASM program (initdb) beside PostgreSQL's. Once it has run, its linear
// memory (~250 MB here) is garbage, but V8 frees it only at its next full collection, which an idle server may not
// reach for hours: a first start then sat at ~540 MB instead of ~200. One full collection right after initdb,
// once per data directory's life, hands that memory back.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function releaseInitdbMemory(): void {
  // --expose-gc set now applies to contexts made afterwards: this one, which returns its gc().
  setFlagsFromString("--expose-gc");
  const collect = runInNewContext("gc") as () => void;
  collect();
}
