// Node.js entry: gRPC over HTTP/2 (h2c for http://), Connect and gRPC-Web over HTTP/1.1 or HTTP/2.
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createPolityClientWith, type PolityClient, type PolityClientOptions, type TransportFactory } from "./core.js";

export const nodeTransport: TransportFactory = ({ baseUrl, protocol, interceptors, timeoutMs }) => {
  const common = { baseUrl, interceptors, defaultTimeoutMs: timeoutMs };
  switch (protocol) {
    case "grpc":
      // gRPC needs trailers, which only HTTP/2 carries.
      return createGrpcTransport(common); // always HTTP/2
    case "grpc-web":
      return createGrpcWebTransport({ ...common, httpVersion: "1.1" });
    case "connect":
      return createConnectTransport({ ...common, httpVersion: "1.1" });
    default:
      throw new Error(`unknown protocol ${String(protocol)}`);
  }
};

export function createPolityClient(opts: PolityClientOptions): PolityClient {
  return createPolityClientWith(nodeTransport, "grpc", opts);
}
