// The one Ajv setup for plugin-style configs and inputs (JSON Schema draft-07, defaults filled in, every error
// reported, formats known), created on the first check: Ajv compiles its meta-schemas when created.
import type { Ajv } from "ajv";
import { lazyModule } from "./lazy-module.js";

const ajvModule = lazyModule<typeof import("ajv")>("ajv");
const formatsModule = lazyModule<{ default: (ajv: Ajv) => Ajv }>("ajv-formats");

/** `get()` returns this caller's own Ajv instance, made on the first call. */
export function createLazyAjv(): () => Ajv {
  let ajv: Ajv | undefined;
  return () => {
    if (!ajv) {
      ajv = new (ajvModule().Ajv)({ useDefaults: true, allErrors: true, strict: false, coerceTypes: false });
      formatsModule().default(ajv);
    }
    return ajv;
  };
}
