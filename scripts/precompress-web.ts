// Writes .br and .gz next to each compressible file of the built web GUI (web/dist), once at build time, so
// polityd serves them without compressing per request (sirv picks the variant the client accepts).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = join(import.meta.dirname, "..", "web", "dist");
const compressible = new Set([".html", ".js", ".mjs", ".css", ".svg", ".json", ".txt", ".map", ".webmanifest"]);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

for (const file of walk(root)) {
  if (!compressible.has(extname(file))) continue;
  const data = readFileSync(file);
  if (data.length < 1024) continue; // not worth a second request header's worth of bytes
  writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
}
