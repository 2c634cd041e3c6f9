// The backup file of the embedded store: a gzip-compressed tar that tar(1) can list and unpack. Its first entry is
// manifest.json (what it holds, made by which version, when), then every file of the data directory's clusters
// and the secrets key file, and last SHA256SUMS (sha256sum's format) covering every other entry. Reading checks
// names, types and every checksum as it unpacks, so a truncated or altered file is refused before it is used.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import * as tar from "tar-stream";
import { z } from "zod";

export const MANIFEST = "manifest.json";
export const CHECKSUMS = "SHA256SUMS";
const FORMAT = "polity-embedded-backup";
const FORMAT_VERSION = 1;

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.number().int(),
  polityVersion: z.string(),
  createdAt: z.string(),
  dataDir: z.string(),
  postgresVersion: z.string(),
  clusters: z.array(z.object({
    dir: z.enum(["pgdata", "sys", "mod"]),
    tiers: z.array(z.object({ tier: z.enum(["sys", "mod"]), migrations: z.number().int(), lastMigration: z.string().nullable() })),
  })).min(1),
  secretsKey: z.boolean(),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestContent = Omit<Manifest, "format" | "formatVersion">;

/** One entry being read: its header and its content. */
type Entry = AsyncIterable<unknown> & { header: tar.Header };

/** Thrown for a file that is not a complete, unaltered backup this version can restore. */
export class BadBackupError extends Error {}

/** Writes `manifest`, then `entries` (names under `root`, files or whole directories), then the checksums. */
export async function writeArchive(file: string, root: string, content: ManifestContent, entries: string[]): Promise<{ files: number; bytes: number }> {
  // Opened before anything is packed: a directory that is missing or not writable fails here, plainly.
  const out = createWriteStream(file, { fd: openSync(file, "wx", 0o600) });
  const pack = tar.pack();
  const written = new Promise<void>((resolve, reject) => pipeline(pack, createGzip(), out, (error) => (error ? reject(error) : resolve())));
  const sums: string[] = [];
  let bytes = 0;
  const manifest: Manifest = { format: FORMAT, formatVersion: FORMAT_VERSION, ...content };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  await addBuffer(pack, MANIFEST, manifestBytes);
  sums.push(`${sha256(manifestBytes)}  ${MANIFEST}`);
  for (const entry of entries) {
    for (const item of walk(root, entry)) {
      if (item.directory) {
        await addBuffer(pack, `${item.name}/`, Buffer.alloc(0), { type: "directory", mode: 0o700 });
        continue;
      }
      sums.push(`${await addFile(pack, item.name, join(root, item.name))}  ${item.name}`);
      bytes += statSync(join(root, item.name)).size;
    }
  }
  await addBuffer(pack, CHECKSUMS, Buffer.from(`${sums.join("\n")}\n`));
  pack.finalize();
  await written;
  return { files: sums.length - 1, bytes };
}

/** Unpacks `file` into `into` (an empty directory), checking it whole; returns its manifest. */
export async function readArchive(file: string, into: string): Promise<Manifest> {
  const extract = tar.extract();
  const source = createReadStream(file);
  const gunzip = createGunzip();
  let streamError: Error | undefined;
  const fail = (error: Error) => {
    streamError ??= error;
    extract.destroy(error);
  };
  source.on("error", fail);
  gunzip.on("error", fail);
  source.pipe(gunzip).pipe(extract);
  const seen = new Map<string, string>();
  let manifest: Manifest | undefined;
  let checksums: Map<string, string> | undefined;
  try {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      if (checksums) throw new BadBackupError(`${name} follows ${CHECKSUMS}, which must be the last entry`);
      if (!manifest) {
        if (name !== MANIFEST || type !== "file") throw new BadBackupError(`it does not start with ${MANIFEST}`);
        const text = await readAll(entry);
        seen.set(MANIFEST, sha256(text));
        manifest = parseManifest(text);
        continue;
      }
      if (name === CHECKSUMS && type === "file") {
        checksums = parseChecksums((await readAll(entry)).toString("utf8"));
        continue;
      }
      const path = checkedPath(name, type, manifest);
      if (seen.has(path) || (type === "directory" && seen.has(`${path}/`))) throw new BadBackupError(`${name} appears twice`);
      if (type === "directory") {
        mkdirSync(join(into, path), { recursive: true, mode: 0o700 });
        seen.set(`${path}/`, "");
        entry.resume();
        continue;
      }
      seen.set(path, await writeEntry(entry, join(into, path)));
    }
  } catch (error) {
    if (error instanceof BadBackupError) throw error;
    throw new BadBackupError(`it cannot be read to the end (${(streamError ?? error as Error).message})`);
  } finally {
    source.destroy();
  }
  if (streamError) throw new BadBackupError(`it cannot be read to the end (${streamError.message})`);
  if (!manifest) throw new BadBackupError("it is empty");
  if (!checksums) throw new BadBackupError(`it ends before ${CHECKSUMS} (truncated?)`);
  for (const [path, sum] of checksums) {
    if (!seen.has(path)) throw new BadBackupError(`${path} is listed in ${CHECKSUMS} but missing`);
    if (seen.get(path) !== sum) throw new BadBackupError(`${path} does not match its checksum`);
  }
  for (const path of seen.keys()) if (!path.endsWith("/") && !checksums.has(path)) throw new BadBackupError(`${path} has no checksum`);
  return manifest;
}

function parseManifest(text: Buffer): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString("utf8"));
  } catch {
    throw new BadBackupError(`its ${MANIFEST} is not JSON`);
  }
  const format = (raw as { format?: unknown; formatVersion?: unknown } | null);
  if (format?.format !== FORMAT) throw new BadBackupError("it is not a Polity embedded-store backup");
  if (format.formatVersion !== FORMAT_VERSION) throw new BadBackupError(`its format version ${String(format.formatVersion)} is not one this polityd reads (${FORMAT_VERSION})`);
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new BadBackupError(`its ${MANIFEST} is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!match) throw new BadBackupError(`its ${CHECKSUMS} has a malformed line`);
    sums.set(match[2]!, match[1]!);
  }
  return sums;
}

/** The relative path an entry may be written to: only the manifest's clusters and the key file, never outside. */
function checkedPath(name: string, type: string | null | undefined, manifest: Manifest): string {
  if (type !== "file" && type !== "directory") throw new BadBackupError(`${name} is a ${type ?? "special"} entry`);
  const path = name.endsWith("/") ? name.slice(0, -1) : name;
  const parts = path.split("/");
  if (parts.some((p) => !p || p === "." || p === ".." || p.includes("\\") || p.includes("\0"))) throw new BadBackupError(`${JSON.stringify(name)} is not a safe path`);
  if (path === "secrets.key" && type === "file" && manifest.secretsKey) return path;
  if (manifest.clusters.some((c) => c.dir === parts[0])) return path;
  throw new BadBackupError(`${name} is not part of a backed-up cluster`);
}

function* walk(root: string, name: string): Generator<{ name: string; directory: boolean }> {
  if (!statSync(join(root, name)).isDirectory()) {
    yield { name, directory: false };
    return;
  }
  yield { name, directory: true };
  for (const child of readdirSync(join(root, name)).sort()) yield* walk(root, `${name}/${child}`);
}

function addBuffer(pack: tar.Pack, name: string, data: Buffer, header: Partial<tar.Header> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, mode: 0o600, mtime: new Date(), ...header }, data, (error) => (error ? reject(error) : resolve())).on("error", reject);
  });
}

/** Streams a file into the archive; returns its SHA-256. */
async function addFile(pack: tar.Pack, name: string, path: string): Promise<string> {
  const hash = createHash("sha256");
  const { size } = statSync(path);
  let finish!: (error?: Error | null) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));
  const entry = pack.entry({ name, size, mode: 0o600, mtime: new Date() }, (error) => finish(error));
  entry.on("error", finish);
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    if (!entry.write(chunk)) await once(entry, "drain");
  }
  entry.end(undefined);
  await finished;
  return hash.digest("hex");
}

async function writeEntry(entry: Entry, path: string): Promise<string> {
  const hash = createHash("sha256");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const out = createWriteStream(path, { mode: 0o600, flags: "wx" });
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
  return hash.digest("hex");
}

async function readAll(entry: Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1 << 20) throw new BadBackupError(`${entry.header.name} is too large`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
