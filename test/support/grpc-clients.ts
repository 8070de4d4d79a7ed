// Clients for the services llm2clipd serves beside Llm2Clip (health, reflection), and a helper for the EmbedImages stream.
import path from "node:path";
import { credentials, makeClientConstructor, Metadata, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { service as healthService } from "grpc-health-check";
import type { EmbedImagesRequest, EmbedImagesResponse, Llm2ClipClient } from "@llm2clip/proto";

type Callback<T> = (error: ServiceError | null, response: T) => void;

interface HealthClient {
  check(request: { service: string }, callback: Callback<{ status: string }>): void;
  close(): void;
}

/** grpc.health.v1.Health/Check for `service` ("" is the whole server): SERVING, NOT_SERVING, ... */
export async function healthStatus(address: string, service = "", channel: ChannelCredentials = credentials.createInsecure()): Promise<string> {
  const Client = makeClientConstructor(healthService, "grpc.health.v1.Health");
  const client = new Client(address, channel) as unknown as HealthClient;
  try {
    return await new Promise((resolve, reject) =>
      client.check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
    );
  } finally {
    client.close();
  }
}

const reflectionProto = loadSync("grpc/reflection/v1/reflection.proto", {
  includeDirs: [path.join(path.dirname(require.resolve("@grpc/reflection/package.json")), "build/proto")],
  keepCase: true,
  oneofs: true,
});

/** The service names that grpc.reflection.v1 lists. */
export async function reflectedServices(address: string, metadata = new Metadata()): Promise<string[]> {
  const Client = makeClientConstructor(
    reflectionProto["grpc.reflection.v1.ServerReflection"] as never,
    "grpc.reflection.v1.ServerReflection",
  );
  const client = new Client(address, credentials.createInsecure()) as unknown as {
    serverReflectionInfo(metadata: Metadata): NodeJS.ReadWriteStream & { end(): void; write(message: unknown): boolean };
    close(): void;
  };
  try {
    return await new Promise((resolve, reject) => {
      const call = client.serverReflectionInfo(metadata);
      call.on("data", (response: { list_services_response?: { service: { name: string }[] } }) =>
        resolve((response.list_services_response?.service ?? []).map((service) => service.name)),
      );
      call.on("error", reject);
      call.write({ list_services: "" });
      call.end();
    });
  } finally {
    client.close();
  }
}

/** Sends `requests` on one EmbedImages stream, half-closes it, and collects every response until the stream ends. */
export function embedImages(
  client: Llm2ClipClient,
  requests: readonly EmbedImagesRequest[],
  metadata = new Metadata(),
): Promise<EmbedImagesResponse[]> {
  return new Promise((resolve, reject) => {
    const call = client.embedImages(metadata);
    const responses: EmbedImagesResponse[] = [];
    call.on("data", (response: EmbedImagesResponse) => responses.push(response));
    call.on("error", reject);
    call.on("end", () => resolve(responses));
    for (const request of requests) call.write(request);
    call.end();
  });
}
