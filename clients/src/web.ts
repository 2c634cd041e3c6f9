// Browser entry: Connect or gRPC-Web over fetch. Plain gRPC needs HTTP trailers, which browsers do not expose.
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { createPolityClientWith, type PolityClient, type PolityClientOptions, type TransportFactory } from "./core.js";

export const webTransport: TransportFactory = ({ baseUrl, protocol, interceptors, timeoutMs }) => {
  const common = { baseUrl, interceptors, defaultTimeoutMs: timeoutMs };
  switch (protocol) {
    case "connect":
      return createConnectTransport(common);
    case "grpc-web":
      return createGrpcWebTransport(common);
    default:
      throw new Error(`protocol ${String(protocol)} is not available in browsers; use "connect" or "grpc-web"`);
  }
};

export function createPolityClient(opts: PolityClientOptions): PolityClient {
  return createPolityClientWith(webTransport, "connect", opts);
}

export * from "./shared.js";
