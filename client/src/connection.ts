import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipClient } from "@llm2clip/proto";
import { readFileSync } from "node:fs";
import { withRetries, type RetryPolicy } from "./retry";

export interface ConnectionOptions {
  /** host:port */
  server: string;
  tls: boolean;
  /** PEM file of the CA to trust; implies TLS. */
  ca?: string;
  token?: string;
}

/** A connected client and the metadata every call carries. */
export interface Connection {
  client: Llm2ClipClient;
  metadata(): Metadata;
}

export function connect(options: ConnectionOptions): Connection {
  const secure = options.tls || options.ca !== undefined;
  const channel = secure ? credentials.createSsl(options.ca === undefined ? null : readFileSync(options.ca)) : credentials.createInsecure();
  const client = new Llm2ClipClient(options.server, channel);
  return {
    client,
    metadata: () => {
      const metadata = new Metadata();
      if (options.token) metadata.set("authorization", `Bearer ${options.token}`);
      return metadata;
    },
  };
}

/** Adapts a callback-style unary call to a promise, retried while the daemon asks to wait (./retry.ts). */
export function unary<T>(call: (done: (error: ServiceError | null, response?: T) => void) => void, policy?: RetryPolicy): Promise<T> {
  return withRetries(() => new Promise<T>((resolve, reject) => call((error, response) => (error ? reject(error) : resolve(response as T)))), policy);
}
