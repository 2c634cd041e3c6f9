// Protocol headers no honest client sends: timeouts that are no durations, encodings the body does not have
// (or a decompression bomb that does), unknown protocol versions and codecs, odd authorization schemes, request
// ids that are no ids. Values stay within what HTTP allows on the wire (visible ASCII), since node refuses the rest.
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import type { Wire } from "./wires.js";

const visible = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}$/);
const some = (...values: string[]) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: visible });

const timeouts = some("0m", "1n", "99999999H", "100000000S", "-1S", "1.5S", "1", "m", "1x", "", "18446744073709551616n");
const connectTimeouts = some("0", "-1", "1.5", "99999999999", "18446744073709551616", "abc", "", " 5");
const encodings = some("gzip", "br", "identity", "zstd", "deflate", "GZIP", "gzip, br", "*", "snappy");
const contentTypes = some("application/grpc+json", "application/grpc-web+json", "application/json; charset=latin1", "application/proto; charset=utf-8",
  "application/connect+json; charset=utf-8", "text/plain", "application/grpc-web-text+proto", "application/x-protobuf", "multipart/form-data; boundary=x", "application/JSON");
const authorizations = some("Basic cm9vdDpyb290", "Bearer", "Bearer  ", "bearer x", "Token x", "Bearer a b", `Bearer ${"x".repeat(8000)}`);
const requestIds = some("", "x".repeat(200), "a b", "../../", "id;drop", "✓".replace(/[^\x21-\x7e]/g, "?"));

/** Header overrides for a call on `wire`, one to three at a time. */
export function oddHeaders(wire: Wire): fc.Arbitrary<Record<string, string>> {
  const grpcish = wire.protocol !== "connect-proto" && wire.protocol !== "connect-json";
  const entries: Array<fc.Arbitrary<[string, string]>> = [
    fc.tuple(fc.constant("content-type"), contentTypes),
    fc.tuple(fc.constant("authorization"), authorizations),
    fc.tuple(fc.constant("x-request-id"), requestIds),
    fc.tuple(fc.constantFrom("accept-encoding", grpcish ? "grpc-accept-encoding" : "connect-accept-encoding"), encodings),
    ...(grpcish
      ? [fc.tuple(fc.constant("grpc-timeout"), timeouts), fc.tuple(fc.constant("grpc-encoding"), encodings),
        // HTTP/2 forbids any te but "trailers" (node will not even send one).
        wire.http === "h1" ? fc.tuple(fc.constantFrom("te", "x-grpc-web"), some("trailers", "gzip", "0", "")) : fc.tuple(fc.constant("x-grpc-web"), some("1", "0", ""))]
      : [fc.tuple(fc.constant("connect-timeout-ms"), connectTimeouts), fc.tuple(fc.constantFrom("content-encoding", "connect-content-encoding"), encodings),
        fc.tuple(fc.constant("connect-protocol-version"), some("1", "2", "0", "", "1.0"))]),
  ];
  return fc.uniqueArray(fc.oneof(...entries), { minLength: 1, maxLength: 3, selector: ([name]) => name }).map((pairs) => Object.fromEntries(pairs));
}

/** A gzip stream that inflates to 64 MiB of zeros: 16× the message limit, in ~64 KiB on the wire. */
export const gzipBomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
