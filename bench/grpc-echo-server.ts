// Child process of bench/run.ts: the baseline, a bare @grpc/grpc-js server echoing the request bytes
// (identity serializers: no protobuf, no auth, no database — the ceiling a Node gRPC server reaches).
import * as grpc from "@grpc/grpc-js";

const identity = (b: Buffer) => b;
const server = new grpc.Server();
server.addService(
  { echo: { path: "/bench.Echo/Echo", requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
  { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, call.request) },
);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send?.({ port, url: `http://127.0.0.1:${port}` });
});
process.on("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
