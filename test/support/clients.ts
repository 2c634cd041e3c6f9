// Raw Connect clients for tests (the SDK has its own tests; these exercise the server directly).
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

export type Protocol = "grpc" | "connect" | "grpc-web";

export function transportFor(url: string, protocol: Protocol = "grpc", token?: () => string | undefined): Transport {
  const auth: Interceptor = (next) => (req) => {
    const value = token?.();
    if (value) req.header.set("authorization", `Bearer ${value}`);
    return next(req);
  };
  const options = { baseUrl: url, interceptors: [auth] };
  if (protocol === "grpc") return createGrpcTransport(options);
  if (protocol === "grpc-web") return createGrpcWebTransport({ ...options, httpVersion: "1.1" });
  return createConnectTransport({ ...options, httpVersion: "1.1" });
}

export function clientFor<S extends DescService>(service: S, url: string, token?: string | (() => string | undefined), protocol: Protocol = "grpc"): Client<S> {
  const get = typeof token === "function" ? token : () => token;
  return createClient(service, transportFor(url, protocol, get));
}
