// gRPC server reflection (v1 and v1alpha), so buf curl, grpcurl and Postman can call Polity without a local
// copy of the contract. Descriptors come from the generated code's embedded files; nothing is read from disk.
import { create, createRegistry, toBinary, type DescFile, type DescService, type Registry } from "@bufbuild/protobuf";
import { nestedTypes } from "@bufbuild/protobuf/reflect";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import * as v1 from "../../clients/src/gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../clients/src/gen/grpc/reflection/v1alpha/reflection_pb.js";
import { service, type ServiceRegistration } from "./module.js";

// The request shape both versions share.
interface ReflectionRequest {
  messageRequest:
    | { case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; value: string }
    | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
    | { case: undefined; value?: undefined };
}

type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

/** Reflection over the given services plus the reflection services themselves. */
export function createReflection(services: DescService[]): ServiceRegistration[] {
  const all = new Map<string, DescService>();
  for (const desc of [...services, v1.ServerReflection, v1alpha.ServerReflection]) all.set(desc.typeName, desc);
  const index = createIndex([...all.values()]);

  // Each stream remembers which files it already sent, so dependencies go out once (as grpc-go does).
  const serve = (sent: Set<string>, req: ReflectionRequest) => answer(index, [...all.keys()], sent, req);
  return [
    service(v1.ServerReflection, {
      async *serverReflectionInfo(requests) {
        const sent = new Set<string>();
        for await (const req of requests) {
          yield create(v1.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: serve(sent, req) });
        }
      },
    }),
    service(v1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        const sent = new Set<string>();
        for await (const req of requests) {
          yield create(v1alpha.ServerReflectionResponseSchema, { validHost: req.host, originalRequest: req, messageResponse: serve(sent, req) });
        }
      },
    }),
  ];
}

interface Index {
  registry: Registry;
  files: Map<string, DescFile>;
  // Fully qualified symbol (service, method, message, field, enum, extension) → the file declaring it.
  symbols: Map<string, DescFile>;
  bytes: Map<string, Uint8Array>;
}

function createIndex(services: DescService[]): Index {
  const files = new Map<string, DescFile>();
  const collect = (file: DescFile) => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(collect);
  };
  for (const desc of services) collect(desc.file);

  const symbols = new Map<string, DescFile>();
  for (const file of files.values()) {
    for (const type of nestedTypes(file)) {
      symbols.set(type.typeName, file);
      if (type.kind === "service") for (const m of type.methods) symbols.set(`${type.typeName}.${m.name}`, file);
      if (type.kind === "message") for (const f of type.fields) symbols.set(`${type.typeName}.${f.name}`, file);
    }
  }
  const bytes = new Map([...files].map(([name, f]) => [name, toBinary(FileDescriptorProtoSchema, f.proto)]));
  return { registry: createRegistry(...files.values()), files, symbols, bytes };
}

function answer(index: Index, serviceNames: string[], sent: Set<string>, req: ReflectionRequest): ReflectionAnswer {
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: serviceNames.map((name) => ({ name })) } };
    case "fileByFilename": {
      const file = index.files.get(r.value);
      return file ? withDependencies(index, sent, file) : error(Code.NotFound, `file ${r.value} not found`);
    }
    case "fileContainingSymbol": {
      // Clients may send a leading dot (".pkg.Message").
      const file = index.symbols.get(r.value.replace(/^\./, ""));
      return file ? withDependencies(index, sent, file) : error(Code.NotFound, `symbol ${r.value} not found`);
    }
    case "fileContainingExtension": {
      const message = index.registry.getMessage(r.value.containingType);
      const ext = message && index.registry.getExtensionFor(message, r.value.extensionNumber);
      return ext
        ? withDependencies(index, sent, ext.file)
        : error(Code.NotFound, `extension ${r.value.extensionNumber} of ${r.value.containingType} not found`);
    }
    case "allExtensionNumbersOfType": {
      const message = index.registry.getMessage(r.value);
      if (!message) return error(Code.NotFound, `type ${r.value} not found`);
      const numbers: number[] = [];
      for (const type of index.registry) {
        if (type.kind === "extension" && type.extendee.typeName === message.typeName) numbers.push(type.number);
      }
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: message.typeName, extensionNumber: numbers.sort((a, b) => a - b) } };
    }
    default:
      return error(Code.InvalidArgument, "empty reflection request");
  }
}

// The requested file first, then every transitive dependency this stream has not seen yet.
function withDependencies(index: Index, sent: Set<string>, file: DescFile): ReflectionAnswer {
  const out: Uint8Array[] = [];
  const visit = (f: DescFile, requested: boolean) => {
    if (!requested && sent.has(f.proto.name)) return;
    sent.add(f.proto.name);
    out.push(index.bytes.get(f.proto.name)!);
    for (const dep of f.dependencies) visit(dep, false);
  };
  visit(file, true);
  return { case: "fileDescriptorResponse", value: { fileDescriptorProto: out } };
}

function error(code: Code, message: string): ReflectionAnswer {
  // Connect's Code enum uses the gRPC numbers, which is what ErrorResponse.error_code carries.
  return { case: "errorResponse", value: { errorCode: code, errorMessage: message } };
}
