// An embedded PGlite cluster must have one process writing it: two would corrupt it. The holder leaves a lock
// file beside the cluster, created exclusively, naming its pid and start time; a lock whose pid is gone (a
// crash, a kill -9) is stale and taken over.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { ConfigError } from "./config.js";

export interface LockOwner {
  pid: number;
  since: string;
  host: string;
}

export interface DataDirLock {
  release(): void;
}

/** The directory is held by a live process: who, so a command can name it. */
export class DataDirInUseError extends ConfigError {
  constructor(readonly dir: string, readonly owner: LockOwner, lockFile: string) {
    super(`data directory ${dir} is in use by polityd pid ${owner.pid} on ${owner.host} since ${owner.since} ` +
      `(lock file ${lockFile}); stop that process or start this one with another --data-dir`);
  }
}

/** Takes `<dir>.lock` or throws a ConfigError naming the process that holds it. */
export function lockDataDir(dir: string): DataDirLock {
  const path = `${dir}.lock`;
  const me: LockOwner = { pid: process.pid, since: new Date().toISOString(), host: hostname() };
  // Two attempts: the second after removing a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(path);
      // An unreadable lock a moment old is one another process is still writing.
      if (!owner && Date.now() - mtimeOf(path) < 5_000) break;
      if (owner && isLockOwnerAlive(owner)) {
        throw new DataDirInUseError(dir, owner, path);
      }
      rmSync(path, { force: true });
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // Only our own lock: never delete one a later process took over.
        if (readOwner(path)?.pid === me.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new ConfigError(`data directory ${dir} is being locked by another process right now (lock file ${path}); try again`);
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof owner.pid !== "number") return undefined;
    return { pid: owner.pid, since: String(owner.since ?? "an unknown time"), host: String(owner.host ?? "an unknown host") };
  } catch {
    // Unreadable or half-written: a holder that died while writing it. Treated as stale.
    return undefined;
  }
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether the process a lock names still runs (one on another host, a shared volume, counts as running). */
export function isLockOwnerAlive(owner: LockOwner): boolean {
  // A pid on another machine (a shared volume) cannot be checked from here: assume it is alive.
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
