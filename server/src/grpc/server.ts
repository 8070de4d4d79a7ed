// The gRPC server of llm2clipd: the Llm2Clip service, grpc.health.v1 and server reflection.
// It can listen before the model is loaded: health says NOT_SERVING and the Llm2Clip RPCs answer UNAVAILABLE until serve().
import net from "node:net";
import path from "node:path";
import { Server, ServerCredentials, status, type ServerInterceptor, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath } from "grpc-health-check";
import { Llm2ClipService } from "@llm2clip/proto";
import { bearerTokenInterceptor } from "./auth";
import { malformedRequestInterceptor, refuseInvalidUtf8, tolerantDeserializers } from "./malformed-requests";
import { ocrSelection, type ConnectionOptions, type ServiceDeps, type ServiceLimits } from "./deps";
import { GlobalByteBudget } from "./stream-budget";
import { createMatrixScan } from "../runtime/matrix-scan";
import { CollectionRegistry } from "../store/collections";
import { TextIndexer } from "../ocr/text-indexer";
import { createAssetHandlers } from "./handlers/assets";
import { createModelHandlers } from "./handlers/model";
import { createThumbnailHandlers } from "./handlers/thumbnail";

export const SERVICE_NAME = "llm2clip.v1.Llm2Clip";
const HEALTH_PATH_PREFIX = "/grpc.health.v1.Health/";

export interface GrpcServerOptions {
  limits: Pick<ServiceLimits, "maxMessageBytes">;
  /** When set, every RPC except health needs `authorization: Bearer <token>`. */
  token?: string;
  connections: ConnectionOptions;
  /** Run on every call before the token check (metrics). */
  interceptors?: ServerInterceptor[];
}

/** Plain HTTP/2 opens with a 24-byte preface; a TLS ClientHello is longer still. */
const HTTP2_PREFACE_BYTES = 24;

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

export class Llm2ClipGrpcServer {
  private readonly server: Server;
  private readonly health = new HealthImplementation({ "": "NOT_SERVING", [SERVICE_NAME]: "NOT_SERVING" });
  private handlers: UntypedServiceImplementation | undefined;
  private textIndexer?: TextIndexer;
  private readonly listeners: net.Server[] = [];

  constructor(private readonly options: GrpcServerOptions) {
    const interceptors: ServerInterceptor[] = [...(options.interceptors ?? []), malformedRequestInterceptor()];
    if (options.token !== undefined) {
      interceptors.push(bearerTokenInterceptor(options.token, (methodPath) => methodPath.startsWith(HEALTH_PATH_PREFIX)));
    }
    this.server = new Server({
      "grpc.max_receive_message_length": options.limits.maxMessageBytes,
      "grpc.max_connection_idle_ms": options.connections.idleTimeoutMs,
      "grpc.keepalive_time_ms": options.connections.keepaliveMs,
      "grpc.keepalive_timeout_ms": options.connections.keepaliveTimeoutMs,
      interceptors,
    });
    refuseInvalidUtf8();
    this.server.addService(tolerantDeserializers(Llm2ClipService), this.gatedImplementation());
    this.health.addToServer(this.server);
    new ReflectionService(reflectedProtos()).addToServer(this.server);
  }

  /**
   * Listens on `host`:`port` (port 0 picks a free one) and resolves with the bound port. The daemon owns the TCP
   * listener and hands each socket to grpc-js, so that it can refuse sockets beyond --max-connections and drop those
   * that never speak HTTP/2: grpc-js's own timers start only once a client has opened an HTTP/2 session.
   */
  listen(host: string, port: number, tls?: TlsFiles): Promise<number> {
    const credentials =
      tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false);
    const injector = this.server.createConnectionInjector(credentials);
    const { handshakeTimeoutMs, maxConnections } = this.options.connections;
    const listener = net.createServer((socket) => {
      const timer = setTimeout(() => {
        // A plain destroy() leaves the socket open here: the HTTP/2 session already holds its handle. A reset closes it.
        if (socket.bytesRead < HTTP2_PREFACE_BYTES) socket.resetAndDestroy();
      }, handshakeTimeoutMs);
      timer.unref();
      socket.once("close", () => clearTimeout(timer));
      injector.injectConnection(socket);
    });
    listener.maxConnections = maxConnections;
    this.listeners.push(listener);
    return new Promise((resolve, reject) => {
      listener.once("error", reject);
      listener.listen({ host, port }, () => {
        listener.off("error", reject);
        resolve((listener.address() as net.AddressInfo).port);
      });
    });
  }

  /** Starts answering the Llm2Clip RPCs with `deps`' model; health turns SERVING. */
  serve(deps: ServiceDeps): void {
    const collections = new CollectionRegistry(
      path.join(deps.dataDir, "collections"),
      { name: deps.model.info.name, embedDim: deps.model.info.embedDim },
      createMatrixScan(),
    );
    if (deps.ocr) {
      this.textIndexer = new TextIndexer(deps.ocr, collections, path.join(deps.dataDir, "ocr-queue"), deps.limits.maxImagePixels, deps.log, ocrSelection(deps));
      this.textIndexer.resume();
    }
    const buffers = new GlobalByteBudget(deps.limits.maxBufferBytes);
    this.handlers = { ...createModelHandlers(deps, collections, buffers), ...createAssetHandlers(deps, collections, buffers, this.textIndexer), ...createThumbnailHandlers(deps) };
    this.health.setStatus("", "SERVING");
    this.health.setStatus(SERVICE_NAME, "SERVING");
  }

  /** Health turns NOT_SERVING, then running calls get `graceMs` to finish before the rest are cancelled. */
  async shutdown(graceMs: number): Promise<void> {
    this.health.setStatus("", "NOT_SERVING");
    this.health.setStatus(SERVICE_NAME, "NOT_SERVING");
    for (const listener of this.listeners) listener.close();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Each RPC goes to the handlers once serve() installed them, and answers UNAVAILABLE before. */
  private gatedImplementation(): UntypedServiceImplementation {
    const notReady = { code: status.UNAVAILABLE, details: "the model is still loading; retry when health reports SERVING" };
    const gated: UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(Llm2ClipService)) {
      gated[name] = (call: { emit(event: string, error: unknown): void }, callback?: (error: unknown) => void) => {
        const handler = this.handlers?.[name] as ((...args: unknown[]) => void) | undefined;
        if (handler !== undefined) handler(call, callback);
        else if (method.responseStream || method.requestStream) call.emit("error", notReady);
        else callback!(notReady);
      };
    }
    return gated;
  }
}

/** The definitions reflection describes: the Llm2Clip contract and grpc.health.v1. */
function reflectedProtos() {
  const protoRoot = path.dirname(require.resolve("@llm2clip/proto/package.json"));
  const healthRoot = path.resolve(path.dirname(healthProtoPath), "../..");
  return loadSync(["llm2clip/v1/llm2clip.proto", "health/v1/health.proto"], { includeDirs: [protoRoot, healthRoot] });
}
