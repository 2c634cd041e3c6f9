// Request bodies for one method on one wire: well-typed (tame values, framed as the wire frames them) and
// malformed (payloads that do not decode, envelopes that lie, gRPC-Web text that is not base64).
import { create, type DescMethod, toBinary, toJson, toJsonString } from "@bufbuild/protobuf";
import fc from "fast-check";
import { messageInit, type Pool, tame } from "./arbitraries.js";
import { malformedBinary, malformedEnvelope, malformedJson, malformedText } from "./malformed.js";
import { envelope, frameMessage, isEnveloped, usesJson, type Wire } from "./wires.js";

export function validBody(wire: Wire, method: DescMethod, pool: Pool): fc.Arbitrary<Uint8Array> {
  return messageInit(method.input, pool, tame).map((v) => {
    const m = create(method.input, v as never);
    let payload: Uint8Array;
    try {
      payload = usesJson(wire) ? Buffer.from(toJsonString(method.input, m)) : toBinary(method.input, m);
    } catch {
      payload = Buffer.from("{}"); // a value JSON cannot carry (a Timestamp past year 9999)
    }
    return frameMessage(wire, method, payload);
  });
}

export function malformedBody(wire: Wire, method: DescMethod, pool: Pool): fc.Arbitrary<Uint8Array> {
  const valid = messageInit(method.input, pool, tame).map((v) => create(method.input, v as never));
  const asJson = (m: ReturnType<typeof create>) => {
    try {
      return toJson(method.input, m as never);
    } catch {
      return {};
    }
  };
  const payload = usesJson(wire)
    ? malformedJson(valid.map(asJson), method.input.fields.map((f) => f.jsonName))
    : malformedBinary(valid.map((m) => toBinary(method.input, m)));
  if (!isEnveloped(wire, method)) return payload;
  const enveloped = fc.oneof(payload.map((p) => new Uint8Array(envelope(p))), malformedEnvelope(payload));
  return wire.protocol === "grpc-web-text" ? malformedText(enveloped) : enveloped;
}
