// A minimal OTLP/HTTP trace receiver for tests: a node http server taking `POST /v1/traces` in protobuf
// (ExportTraceServiceRequest) and keeping the spans it decodes. The decoder walks only the fields the tests read
// (opentelemetry/proto/trace/v1/trace.proto): resource attributes, span ids, name, kind, attributes, status.
import { createServer, type Server } from "node:http";
import { gunzipSync } from "node:zlib";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

export type AttributeValue = string | number | boolean | undefined;

export interface ReceivedSpan {
  serviceName: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** SpanKind as OTLP numbers it: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export interface OtlpReceiver {
  /** The base endpoint, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  stop(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      spans.push(...decodeExportRequest(body));
      // An empty ExportTraceServiceResponse: full success.
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Calls `field` for each field of the message in `bytes`; unread fields are skipped. */
function eachField(bytes: Uint8Array, field: (no: number, reader: BinaryReader, wireType: WireType) => boolean | void): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (field(no, reader, wireType) !== true) reader.skip(wireType, no);
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function decodeExportRequest(body: Uint8Array): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  eachField(body, (no, r) => {
    if (no !== 1) return; // resource_spans
    const resourceSpans = r.bytes();
    let serviceName = "";
    const scopeSpans: Uint8Array[] = [];
    eachField(resourceSpans, (no2, r2) => {
      if (no2 === 1) {
        serviceName = String(attributesOf(r2.bytes(), 1)["service.name"] ?? "");
        return true;
      }
      if (no2 === 2) {
        scopeSpans.push(r2.bytes());
        return true;
      }
    });
    for (const scope of scopeSpans) {
      eachField(scope, (no3, r3) => {
        if (no3 !== 2) return; // spans
        out.push({ serviceName, ...decodeSpan(r3.bytes()) });
        return true;
      });
    }
    return true;
  });
  return out;
}

function decodeSpan(bytes: Uint8Array): Omit<ReceivedSpan, "serviceName"> {
  const span: Omit<ReceivedSpan, "serviceName"> = { traceId: "", spanId: "", parentSpanId: "", name: "", kind: 0, attributes: {}, statusCode: 0 };
  eachField(bytes, (no, r) => {
    switch (no) {
      case 1: span.traceId = hex(r.bytes()); return true;
      case 2: span.spanId = hex(r.bytes()); return true;
      case 4: span.parentSpanId = hex(r.bytes()); return true;
      case 5: span.name = r.string(); return true;
      case 6: span.kind = r.int32(); return true;
      case 15:
        eachField(r.bytes(), (n, s) => {
          if (n === 3) {
            span.statusCode = s.int32();
            return true;
          }
        });
        return true;
    }
  });
  span.attributes = attributesOf(bytes, 9);
  return span;
}

/** The KeyValue list at field `fieldNo` of a message (Resource.attributes is 1, Span.attributes is 9). */
function attributesOf(message: Uint8Array, fieldNo: number): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  eachField(message, (no, r) => {
    if (no !== fieldNo) return;
    let key = "";
    let value: AttributeValue;
    eachField(r.bytes(), (n, kv) => {
      if (n === 1) key = kv.string();
      else if (n === 2) value = anyValue(kv.bytes());
      else return;
      return true;
    });
    attributes[key] = value;
    return true;
  });
  return attributes;
}

function anyValue(bytes: Uint8Array): AttributeValue {
  let value: AttributeValue;
  eachField(bytes, (no, r) => {
    if (no === 1) value = r.string();
    else if (no === 2) value = r.bool();
    else if (no === 3) value = Number(r.int64());
    else if (no === 4) value = r.double();
    else return;
    return true;
  });
  return value;
}
