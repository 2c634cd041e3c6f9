// Small query helpers shared by the account and org services.
import { aborted } from "../core/errors.js";

/** A case-insensitive "contains" pattern with LIKE's wildcards escaped. */
export function ilikePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A concurrent writer bumped the version between our read and our write: same answer as a stale etag. */
export async function mapOptimisticLock<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if ((error as { name?: string }).name === "OptimisticLockError") throw aborted("ETAG_MISMATCH", "the resource changed since you read it; reload and retry");
    throw error;
  }
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { name?: string }).name === "UniqueConstraintViolationException";
}
