// What a well-formed answer is, per protocol, checked byte by byte: the gRPC status in trailers (or a
// trailers-only response), gRPC-Web's trailer frame (base64 for -text), Connect's error JSON with the HTTP status
// its code maps to, or a Connect stream's end message. Every data message must decode as the method's output.
// A bad answer throws MalformedAnswer; a good one becomes an Outcome (code 0 for OK).
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { type DescMethod, fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { base64Decode, BinaryReader } from "@bufbuild/protobuf/wire";
import { Code } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../../clients/src/gen/google/rpc/error_details_pb.js";
import type { RawAnswer } from "./http.js";
import { isStreaming, type Wire } from "./wires.js";

export interface Outcome {
  code: Code | 0;
  message: string;
  reason?: string;
  messages: number;
  cut: boolean;
  /** The server does not speak this wire at all (HTTP 415), which is a clean refusal, not an answer. */
  unsupported?: boolean;
}

export class MalformedAnswer extends Error {}

const connectCodes = ["ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied", "resource_exhausted",
  "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated"];
// The Connect protocol's HTTP status for each code.
const httpStatusOf = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

function fail(what: string, answer: RawAnswer): never {
  const body = answer.body.length > 600 ? `${answer.body.subarray(0, 600).toString("latin1")}…` : answer.body.toString("latin1");
  throw new MalformedAnswer(`${what}\n  status ${answer.status} headers ${JSON.stringify(answer.headers)} trailers ${JSON.stringify(answer.trailers)}\n  body ${JSON.stringify(body)}`);
}

interface Frame { flags: number; data: Buffer }

/** A body or frame in the encoding the server named (only ever one the client offered). */
function inflate(encoding: string | undefined, data: Buffer, answer: RawAnswer): Buffer {
  try {
    if (encoding === "gzip") return gunzipSync(data);
    if (encoding === "br") return brotliDecompressSync(data);
  } catch (e) {
    fail(`a ${encoding} body does not decompress: ${(e as Error).message}`, answer);
  }
  return fail(`compressed with ${JSON.stringify(encoding)}, which is no encoding the client could have accepted`, answer);
}

/** Frames with bit 0 set decompressed with the answer's declared encoding; any other flag left as is. */
function inflateFrames(list: Frame[], encoding: string | undefined, answer: RawAnswer): Frame[] {
  return list.map((f) => ((f.flags & 1) === 1 ? { flags: f.flags & ~1, data: inflate(encoding, f.data, answer) } : f));
}

/** Splits an enveloped body; false when it does not end on a frame boundary. */
function frames(body: Buffer): Frame[] | false {
  const out: Frame[] = [];
  let at = 0;
  while (at < body.length) {
    if (at + 5 > body.length) return false;
    const length = body.readUInt32BE(at + 1);
    if (at + 5 + length > body.length) return false;
    out.push({ flags: body[at], data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/** Whether a (possibly partial) body already holds one complete data frame: enough of a stream. */
export function holdsDataFrame(wire: Wire, body: Buffer): boolean {
  const bytes = wire.protocol === "grpc-web-text" ? decodeText(body.toString("latin1")) : body;
  if (!bytes) return false;
  let at = 0;
  while (at + 5 <= bytes.length) {
    const length = bytes.readUInt32BE(at + 1);
    if (at + 5 + length > bytes.length) return false;
    if (bytes[at] === 0) return true;
    at += 5 + length;
  }
  return false;
}

/** gRPC-Web text: base64 chunks, each padded, concatenated. Undefined when it is not that. */
function decodeText(text: string): Buffer | undefined {
  const chunks = text.match(/(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?/g) ?? [];
  if (chunks.join("") !== text) return undefined;
  return Buffer.concat(chunks.filter(Boolean).map((c) => Buffer.from(c, "base64")));
}

function decodeOutput(method: DescMethod, data: Buffer, json: boolean, answer: RawAnswer) {
  try {
    if (json) fromJsonString(method.output, data.toString("utf8"));
    else fromBinary(method.output, data);
  } catch (e) {
    fail(`a data message does not decode as ${method.output.typeName}: ${(e as Error).message}`, answer);
  }
}

/** google.rpc.Status from grpc-status-details-bin: its code and its ErrorInfo reason. */
function statusDetails(value: string, answer: RawAnswer): { code: number; reason?: string } {
  try {
    const r = new BinaryReader(base64Decode(value));
    let code = 0;
    let reason: string | undefined;
    while (r.pos < r.len) {
      const [no, wire] = r.tag();
      if (no === 1) code = r.int32();
      else if (no === 3) {
        const any = new BinaryReader(r.bytes());
        let type = "";
        let bytes: Uint8Array = new Uint8Array();
        while (any.pos < any.len) {
          const [n, w] = any.tag();
          if (n === 1) type = any.string();
          else if (n === 2) bytes = any.bytes();
          else any.skip(w);
        }
        if (type === "type.googleapis.com/google.rpc.ErrorInfo") reason = fromBinary(ErrorInfoSchema, bytes).reason;
      } else r.skip(wire);
    }
    return { code, reason };
  } catch (e) {
    fail(`grpc-status-details-bin does not decode as google.rpc.Status: ${(e as Error).message}`, answer);
  }
}

function grpcStatus(fields: Record<string, string>, answer: RawAnswer, cut: boolean): Pick<Outcome, "code" | "message" | "reason"> | undefined {
  const raw = fields["grpc-status"];
  if (raw === undefined) {
    if (cut) return undefined;
    fail("no grpc-status", answer);
  }
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > 16) fail(`grpc-status ${JSON.stringify(raw)} is no gRPC code`, answer);
  const code = Number(raw) as Code;
  let message = "";
  try {
    message = decodeURIComponent(fields["grpc-message"] ?? "");
  } catch {
    fail("grpc-message is not percent-encoded", answer);
  }
  const details = fields["grpc-status-details-bin"];
  if (details === undefined) return { code, message };
  const status = statusDetails(details, answer);
  if (status.code !== code) fail(`grpc-status-details-bin says code ${status.code}, grpc-status says ${code}`, answer);
  return { code, message, reason: status.reason };
}

/** gRPC over HTTP/2: trailers (or trailers-only headers), data frames, never compressed unasked. */
function readGrpc(wire: Wire, method: DescMethod, answer: RawAnswer): Outcome {
  if (answer.status !== 200) fail("gRPC answers HTTP 200", answer);
  const type = wire.json ? /^application\/grpc\+json$/ : /^application\/grpc(\+proto)?$/;
  if (!type.test(answer.headers["content-type"] ?? "")) fail("content-type does not match the request's", answer);
  const framed = frames(answer.body);
  if (!framed) return answer.cut ? fail("cut inside a frame", answer) : fail("the body does not end on a frame boundary", answer);
  const list = inflateFrames(framed, answer.headers["grpc-encoding"], answer);
  if (list.some((f) => f.flags !== 0)) fail("a frame has flags other than compressed", answer);
  for (const f of list) decodeOutput(method, f.data, wire.json === true, answer);
  const status = grpcStatus({ ...answer.headers, ...answer.trailers }, answer, answer.cut);
  return settle(method, answer, status, list.length);
}

/** gRPC-Web: data frames, then one trailer frame (or a trailers-only response with headers). */
function readGrpcWeb(wire: Wire, method: DescMethod, answer: RawAnswer): Outcome {
  const text = wire.protocol === "grpc-web-text";
  // connect-es alone serves no gRPC-Web text (base64): without the text adapter it would refuse them all, before
  // reading, with HTTP 415 — a clean refusal, told apart from an answer.
  if (text && answer.status === 415 && answer.body.length === 0) return { code: Code.Unimplemented, message: "HTTP 415", messages: 0, cut: false, unsupported: true };
  if (answer.status !== 200) fail("gRPC-Web answers HTTP 200", answer);
  const type = answer.headers["content-type"] ?? "";
  const expected = new RegExp(`^application/grpc-web${text ? "-text" : ""}${wire.json ? "\\+json" : "(\\+proto)?"}$`);
  if (!expected.test(type)) fail(`content-type ${type} does not match the request`, answer);
  const bytes = text ? decodeText(answer.body.toString("latin1")) : answer.body;
  if (!bytes) fail("the gRPC-Web text body is not base64", answer);
  const framed = frames(bytes);
  if (!framed) return fail("the body does not end on a frame boundary", answer);
  const list = inflateFrames(framed, answer.headers["grpc-encoding"], answer);
  const data = list.filter((f) => f.flags === 0);
  const trailer = list.filter((f) => f.flags === 0x80);
  if (data.length + trailer.length !== list.length) fail("a frame is neither data nor a trailer", answer);
  if (trailer.length > 1 || (trailer.length === 1 && list[list.length - 1] !== trailer[0])) fail("the trailer frame is not the one last frame", answer);
  for (const f of data) decodeOutput(method, f.data, wire.json === true, answer);
  let fields: Record<string, string> = answer.headers;
  if (trailer.length === 1) {
    fields = {};
    for (const line of trailer[0].data.toString("utf8").split("\r\n")) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) fail(`trailer line ${JSON.stringify(line)} is no header`, answer);
      fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  } else if (list.length > 0 && !answer.cut) fail("data without a trailer frame", answer);
  return settle(method, answer, grpcStatus(fields, answer, answer.cut), data.length);
}

interface ConnectErrorJson { code?: unknown; message?: unknown; details?: unknown }

function connectError(json: ConnectErrorJson, answer: RawAnswer): Pick<Outcome, "code" | "message" | "reason"> {
  if (typeof json !== "object" || json === null) fail("the Connect error is not a JSON object", answer);
  const code = connectCodes.indexOf(String(json.code));
  if (code <= 0) fail(`${JSON.stringify(json.code)} is no Connect error code`, answer);
  if (json.message !== undefined && typeof json.message !== "string") fail("the Connect error message is not a string", answer);
  let reason: string | undefined;
  if (json.details !== undefined) {
    if (!Array.isArray(json.details)) fail("the Connect error details are not a list", answer);
    for (const d of json.details as Array<{ type?: unknown; value?: unknown }>) {
      if (typeof d?.type !== "string" || typeof d.value !== "string") fail("a Connect error detail lacks type or value", answer);
      try {
        const bytes = base64Decode(d.value);
        if (d.type === "google.rpc.ErrorInfo") reason = fromBinary(ErrorInfoSchema, bytes).reason;
      } catch (e) {
        fail(`a Connect error detail does not decode: ${(e as Error).message}`, answer);
      }
    }
  }
  return { code: code as Code, message: (json.message as string | undefined) ?? "", reason };
}

function parseJson(text: string, answer: RawAnswer): ConnectErrorJson {
  try {
    return JSON.parse(text) as ConnectErrorJson;
  } catch {
    fail("the Connect error body is not JSON", answer);
  }
}

/** Connect unary: 200 with the message, or the error JSON under the HTTP status its code maps to. */
function readConnectUnary(wire: Wire, method: DescMethod, answer: RawAnswer): Outcome {
  const json = wire.protocol === "connect-json";
  const type = answer.headers["content-type"] ?? "";
  const encoding = answer.headers["content-encoding"];
  const body = encoding && encoding !== "identity" ? inflate(encoding, answer.body, answer) : answer.body;
  if (answer.status === 200) {
    if (type !== (json ? "application/json" : "application/proto")) fail(`content-type ${type} does not match the request`, answer);
    decodeOutput(method, body, json, answer);
    return { code: 0, message: "", messages: 1, cut: false };
  }
  if (!/^application\/json\b/.test(type)) fail("a Connect error is not application/json", answer);
  const error = connectError(parseJson(body.toString("utf8"), answer), answer);
  if (httpStatusOf[error.code] !== answer.status) fail(`HTTP ${answer.status} does not match code ${connectCodes[error.code]}`, answer);
  return { ...error, messages: 0, cut: false };
}

/** Connect server stream: data frames and one end-of-stream JSON frame, last. */
function readConnectStream(wire: Wire, method: DescMethod, answer: RawAnswer): Outcome {
  const json = wire.protocol === "connect-json";
  if (answer.status !== 200) return readConnectUnary(wire, method, answer); // refused before the stream began
  if (answer.headers["content-type"] !== `application/connect+${json ? "json" : "proto"}`) fail("content-type does not match the request", answer);
  const framed = frames(answer.body);
  if (!framed) return fail("the body does not end on a frame boundary", answer);
  const list = inflateFrames(framed, answer.headers["connect-content-encoding"], answer);
  const end = list.findIndex((f) => f.flags === 0x02);
  if (list.some((f) => f.flags !== 0 && f.flags !== 0x02)) fail("a frame is neither data nor an end-of-stream", answer);
  if (end === -1 && !answer.cut) fail("no end-of-stream message", answer);
  if (end !== -1 && end !== list.length - 1) fail("the end-of-stream message is not last", answer);
  const data = list.filter((f) => f.flags === 0);
  for (const f of data) decodeOutput(method, f.data, json, answer);
  if (end === -1) return { code: 0, message: "", messages: data.length, cut: true };
  const endJson = parseJson(list[end].data.toString("utf8"), answer) as { error?: ConnectErrorJson; metadata?: unknown };
  if (typeof endJson !== "object" || endJson === null) fail("the end-of-stream message is not a JSON object", answer);
  if (endJson.metadata !== undefined && (typeof endJson.metadata !== "object" || endJson.metadata === null)) fail("end-of-stream metadata is not an object", answer);
  if (endJson.error === undefined) return { code: 0, message: "", messages: data.length, cut: answer.cut };
  return { ...connectError(endJson.error, answer), messages: data.length, cut: answer.cut };
}

function settle(method: DescMethod, answer: RawAnswer, status: Pick<Outcome, "code" | "message" | "reason"> | undefined, messages: number): Outcome {
  if (!status) return { code: 0, message: "", messages, cut: true };
  if (!isStreaming(method) && !answer.cut) {
    if (status.code === 0 && messages !== 1) fail(`a unary OK carries ${messages} messages`, answer);
    if (status.code !== 0 && messages !== 0) fail("a unary error carries a message", answer);
  }
  return { ...status, messages, cut: answer.cut };
}

/** Checks an answer for the wire and method it was asked on. */
export function readAnswer(wire: Wire, method: DescMethod, answer: RawAnswer): Outcome {
  switch (wire.protocol) {
    case "grpc":
      return readGrpc(wire, method, answer);
    case "grpc-web":
    case "grpc-web-text":
      return readGrpcWeb(wire, method, answer);
    default:
      return isStreaming(method) ? readConnectStream(wire, method, answer) : readConnectUnary(wire, method, answer);
  }
}

export const codeName = (code: Code | 0) => (code === 0 ? "OK" : Code[code]);
/** Codes that mean the server failed, never the caller's input. */
export const serverFault = (code: Code | 0) => code === Code.Internal || code === Code.Unknown || code === Code.DataLoss;
