// Update RPCs name the fields they write (google.protobuf.FieldMask); only the resource's writable ones may appear.
import { invalidArgument } from "../core/errors.js";

const invalidArgumentPath = (field: string, message: string) => invalidArgument(field, message, "INVALID_UPDATE_MASK");

/** Field-mask paths a caller may write; any other path is InvalidArgument naming it. */
export function maskPaths(paths: string[] | undefined, writable: readonly string[]): string[] {
  const list = paths ?? [];
  if (list.length === 0) throw invalidArgumentPath("update_mask", "name at least one field");
  for (const path of list) if (!writable.includes(path)) throw invalidArgumentPath(`update_mask.${path}`, `not writable (writable: ${writable.join(", ")})`);
  return list;
}
