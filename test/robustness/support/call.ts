// One fuzzed call: the body as given, framed headers for the wire, a deadline for server streams (which are
// cut after their first message), and the answer checked for well-formedness.
import type { DescMethod } from "@bufbuild/protobuf";
import fc from "fast-check";
import { Code } from "@connectrpc/connect";
import { MalformedAnswer, type Outcome, holdsDataFrame, readAnswer } from "./answers.js";
import { pathOf } from "./contract.js";
import type { RawHttp } from "./http.js";
import { isStreaming, requestHeaders, type Wire, wireOfContentType } from "./wires.js";

/** No call may take longer than this: a server that does not answer fails the property. */
const ANSWER_WITHIN_MS = 15_000;
/** The deadline sent with server-streaming calls, so a stream with nothing to say still ends. */
const STREAM_DEADLINE_MS = 400;

export type Auth = { kind: "anonymous" } | { kind: "garbage bearer"; token: string } | { kind: "superadmin"; token: string };

export async function call(http: RawHttp, wire: Wire, method: DescMethod, body: Uint8Array, auth: Auth, extraHeaders: Record<string, string> = {}, timeoutMs = ANSWER_WITHIN_MS): Promise<Outcome> {
  const streaming = isStreaming(method);
  const token = auth.kind === "anonymous" ? undefined : auth.token;
  // A fuzzed content-type may pick another protocol: the answer is read as the one it picked, and a stream's
  // deadline goes in that protocol's header too (else a stream with nothing to say never ends).
  const spoken = extraHeaders["content-type"] === undefined ? wire : wireOfContentType(extraHeaders["content-type"], wire.http);
  const deadline = streaming && spoken ? requestHeaders(spoken, method, undefined, STREAM_DEADLINE_MS) : {};
  const spokenDeadline = Object.fromEntries(Object.entries(deadline).filter(([k]) => k === "grpc-timeout" || k === "connect-timeout-ms"));
  const headers = { ...requestHeaders(wire, method, token, streaming ? STREAM_DEADLINE_MS : undefined), ...spokenDeadline, ...extraHeaders };
  const answer = await http.post(wire.http, pathOf(method), headers, body, { timeoutMs, enough: streaming && spoken ? (b) => holdsDataFrame(spoken, b) : undefined });
  if (!spoken) {
    if (answer.status !== 415) throw new MalformedAnswer(`content-type ${extraHeaders["content-type"]} is no protocol's, yet the answer is HTTP ${answer.status}, not 415`);
    return { code: Code.Unimplemented, message: "HTTP 415", messages: 0, cut: false, unsupported: true };
  }
  return readAnswer(spoken, method, answer);
}

/** Who calls: nobody, someone with a token that is no token (or a forged/mangled real one), or the superadmin. */
export function authArbitrary(adminToken: string): fc.Arbitrary<Auth> {
  const mangled = fc.nat().map((at) => {
    const i = at % adminToken.length;
    return adminToken.slice(0, i) + (adminToken[i] === "A" ? "B" : "A") + adminToken.slice(i + 1);
  });
  const header = adminToken.split(".")[0];
  const garbage = fc.oneof(
    fc.constantFrom("x", "null", "Bearer", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJyb290In0.", `${header}.e30.`, "a.b.c", "plk_0000"),
    fc.stringMatching(/^[\x21-\x7e]{1,300}$/),
    mangled,
  );
  return fc.oneof(
    fc.constant<Auth>({ kind: "anonymous" }),
    garbage.map<Auth>((token) => ({ kind: "garbage bearer", token })),
    { weight: 2, arbitrary: fc.constant<Auth>({ kind: "superadmin", token: adminToken }) },
  );
}
