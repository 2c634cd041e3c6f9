// Errors on their way to the wire, made right for the two ways connect-es gets them wrong: it files a frame
// flagged compressed in a request that declared no encoding as Internal (it is the caller's malformed input),
// and it percent-encodes grpc-message with encodeURIComponent, which throws on a lone surrogate, so an error
// whose message quotes half an emoji (V8's JSON.parse errors quote the start of the input, cut anywhere) is
// never answered at all. The fast paths use these helpers directly; calls connect-node serves pass the
// interceptor.
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { ErrorInfoSchema } from "../../clients/src/gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "./errors.js";

const undeclaredCompression = "received compressed envelope, but do not know how to decompress";

/** A frame flagged compressed in a request that declared no encoding. */
export function compressedWithoutEncoding(): ConnectError {
  return malformedMessage("received compressed envelope, but the request declared no encoding");
}

/** A request message that does not decode, with the decoder's words made safe to send. */
export function undecodable(codec: "binary" | "json", error: unknown): ConnectError {
  const text = error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : String(error);
  return malformedMessage(`parse ${codec}: ${wellFormedText(text)}`);
}

/** The error with a message every protocol can carry: lone surrogates become U+FFFD. */
export function wellFormed(error: ConnectError): ConnectError {
  if (error.rawMessage.isWellFormed()) return error;
  const copy = new ConnectError(error.rawMessage.toWellFormed(), error.code, error.metadata, undefined, error.cause);
  copy.details = error.details;
  return copy;
}

/** What a call through connect-node may answer: its input errors refiled as MALFORMED_MESSAGE, every message well-formed. */
export function asWireError(error: unknown): unknown {
  if (!(error instanceof ConnectError)) return error;
  // connect-node's words for a streamed binary or JSON message it cannot decode.
  if (error.code === Code.Internal && /^parse (binary|json)/.test(error.rawMessage)) return wellFormed(malformedMessage(error.rawMessage));
  if (error.code === Code.Internal && error.rawMessage === undeclaredCompression) return compressedWithoutEncoding();
  // protobuf-es's words for a streamed JSON message that does not decode, which connect sends without a reason.
  if (error.code === Code.InvalidArgument && error.details.length === 0 && error.rawMessage.startsWith("cannot decode message ")) return undecodable("json", error);
  return wellFormed(error);
}

/**
 * Applies asWireError to what a call throws, and to what a stream throws while it runs. Sits inside the call
 * log and metrics (so they count the refiled code) and outside validation and the guard (which read the
 * request, and so raise the decoding errors).
 */
export function createWireErrorInterceptor(): Interceptor {
  return (next) => async (req) => {
    let res;
    try {
      res = await next(req);
    } catch (error) {
      throw asWireError(error);
    }
    if (!res.stream) return res;
    const messages = res.message;
    async function* refiled() {
      try {
        yield* messages;
      } catch (error) {
        throw asWireError(error);
      }
    }
    return { ...res, message: refiled() };
  };
}

function wellFormedText(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

/** A request body that does not decode ("parse binary: …") is the caller's bad input: InvalidArgument. */
export function malformedMessage(cause: string): ConnectError {
  return new ConnectError(`malformed request message: ${cause}`, Code.InvalidArgument, undefined, [
    { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "MALFORMED_MESSAGE", domain: ERROR_DOMAIN }) },
  ]);
}

