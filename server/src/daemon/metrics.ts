// Prometheus metrics (prom-client) on their own loopback HTTP port, off unless --metrics is given: what an operator
// needs to see load and saturation (requests and errors by RPC and code, latency, queue depth, batch sizes, the
// text-feature cache's hit rate, the model's load time).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { GraphName } from "../model/manifest";
import type { RuntimeStats } from "../model/llm2clip-model";

const GRAPHS: readonly GraphName[] = ["vision", "llm", "adapter"];

export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "llm2clipd_requests_total",
    help: "RPCs answered, by method and gRPC status code (OK included); errors are the codes other than OK",
    labelNames: ["method", "code"] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "llm2clipd_request_duration_seconds",
    help: "Time from a call's start to its status, by method",
    labelNames: ["method"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: "llm2clipd_batch_size",
    help: "Items in each run of a graph",
    labelNames: ["graph"] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  private readonly modelLoad = new Gauge({
    name: "llm2clipd_model_load_seconds",
    help: "How long the model took to load",
    registers: [this.registry],
  });
  private readonly loadedGraphs = new Gauge({
    name: "llm2clipd_graph_loaded",
    help: "1 while a graph's session is loaded, 0 while --idle-unload-after has unloaded it",
    labelNames: ["graph"] as const,
    registers: [this.registry],
  });
  private stats?: () => RuntimeStats;

  constructor() {
    const metrics = this;
    new Gauge({
      name: "llm2clipd_queue_depth",
      help: "Items waiting in each graph's queue",
      labelNames: ["graph"] as const,
      registers: [this.registry],
      collect() {
        const queued = metrics.stats?.().queued;
        for (const graph of GRAPHS) this.set({ graph }, queued?.[graph] ?? 0);
      },
    });
    new Counter({
      name: "llm2clipd_text_cache_requests_total",
      help: "Captions looked up in the text-feature cache, by result (hit or miss)",
      labelNames: ["result"] as const,
      registers: [this.registry],
      collect() {
        const stats = metrics.stats?.();
        this.reset();
        this.inc({ result: "hit" }, stats?.textCacheHits ?? 0);
        this.inc({ result: "miss" }, stats?.textCacheMisses ?? 0);
      },
    });
  }

  /** Counts and times every call the gRPC server answers. */
  interceptor(): ServerInterceptor {
    return (method, call) => {
      const name = method.path.slice(method.path.lastIndexOf("/") + 1);
      const stopTimer = this.latency.startTimer({ method: name });
      return new ServerInterceptingCall(call, {
        sendStatus: (result, next) => {
          stopTimer();
          this.requests.inc({ method: name, code: status[result.code] ?? String(result.code) });
          next(result);
        },
      });
    };
  }

  observeBatch(graph: GraphName, rows: number): void {
    this.batchSize.observe({ graph }, rows);
  }

  modelLoaded(seconds: number, stats: () => RuntimeStats): void {
    this.modelLoad.set(seconds);
    this.stats = stats;
    for (const graph of GRAPHS) this.loadedGraphs.set({ graph }, 1);
  }

  graphLoaded(graph: GraphName, loaded: boolean): void {
    this.loadedGraphs.set({ graph }, loaded ? 1 : 0);
  }

  /** Serves GET /metrics on host:port; resolves with the bound port. */
  async listen(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
    const server = http.createServer((request, response) => {
      if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("llm2clipd serves only GET /metrics here\n");
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port }, resolve);
    });
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }
}
