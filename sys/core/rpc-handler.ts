// Every RPC on the one port: the unary fast paths (gRPC, Connect, gRPC-Web; framing only) and connect-node for
// everything else (streaming, Connect GET, other encodings). All of them call the same pipelined handlers.
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ClientAddress } from "./client-address.js";
import { createConnectFastPath } from "./connect-fast-path.js";
import { createGrpcFastPath } from "./grpc-fast-path.js";
import { createGrpcWebFastPath } from "./grpc-web-fast-path.js";
import type { ServiceRegistration } from "./module.js";
import { callContextValues, type Req, type Res } from "./unary-call.js";
import { createWireErrorInterceptor } from "./wire-errors.js";

export interface RpcHandlerOptions {
  /** Registrations with the call pipeline already applied. */
  services: ServiceRegistration[];
  maxMessageBytes: number;
  clientAddress: ClientAddress;
  /** Requests that are no RPC of ours (the web GUI, 404). */
  fallback(req: Req, res: Res): void;
}

export function createRpcHandler(options: RpcHandlerOptions): (req: Req, res: Res) => void {
  const grpc = createGrpcFastPath(options);
  const connect = createConnectFastPath(options);
  const grpcWeb = createGrpcWebFastPath(options);
  const rest = createConnectNodeHandler(options);
  return (req, res) => {
    if (grpc(req, res) || connect(req, res) || grpcWeb(req, res)) return;
    rest(req, res);
  };
}

/** connect-node's adapter over the same pipelined handlers: what the fast paths decline. */
export function createConnectNodeHandler({ services, maxMessageBytes, clientAddress, fallback }: Omit<RpcHandlerOptions, "fallback"> & Partial<Pick<RpcHandlerOptions, "fallback">>): (req: Req, res: Res) => void {
  return connectNodeAdapter({
    // Not a concern: it refiles connect-node's own decoding errors, raised before any handler runs.
    interceptors: [createWireErrorInterceptor()],
    readMaxBytes: maxMessageBytes,
    writeMaxBytes: maxMessageBytes,
    routes: (router) => {
      for (const registration of services) router.service(registration.desc, registration.impl as never);
    },
    contextValues: (req) => callContextValues(req as Req, clientAddress),
    fallback: fallback as never,
  }) as never;
}
