// Retries against a real gRPC server on loopback. The server is a stand-in that answers ScoreCaptions with a scripted
// sequence of statuses, since making the real daemon's queues overflow an exact number of times is a matter of timing
// (test/integration/daemon-backpressure.test.ts shows that the daemon does send the hint).
import { Metadata, Server, ServerCredentials, status, type ServiceError } from "@grpc/grpc-js";
import { Llm2ClipService, ScoreCaptionsResponse } from "@llm2clip/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, RETRY_AFTER_MS_KEY, unary, type Connection } from "../src";

interface Answer {
  code: status;
  retryAfterMs?: string;
}

let server: Server;
let connection: Connection;
let script: Answer[] = [];
let arrivals: number[] = [];

beforeAll(async () => {
  server = new Server();
  server.addService(Llm2ClipService, {
    scoreCaptions(_call: unknown, callback: (error: Partial<ServiceError> | null, response?: ScoreCaptionsResponse) => void) {
      arrivals.push(performance.now());
      const answer = script.shift() ?? { code: status.OK };
      if (answer.code === status.OK) return callback(null, ScoreCaptionsResponse.fromPartial({}));
      const metadata = new Metadata();
      if (answer.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_MS_KEY, answer.retryAfterMs);
      callback({ code: answer.code, details: "scripted", metadata });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  connection = connect({ server: `127.0.0.1:${port}`, tls: false });
});

afterAll(() => {
  connection?.client.close();
  server?.forceShutdown();
});

const score = () => unary<ScoreCaptionsResponse>((done) => connection.client.scoreCaptions({ image: { data: Buffer.alloc(0) }, captions: ["a"] }, connection.metadata(), done));

const run = async (answers: Answer[]) => {
  script = answers;
  arrivals = [];
  const outcome = await score().then(
    () => "ok",
    (error: ServiceError) => error.code,
  );
  return { outcome, calls: arrivals.length, gaps: arrivals.slice(1).map((at, i) => at - arrivals[i]!) };
};

describe("unary", () => {
  it("waits as long as each RESOURCE_EXHAUSTED answer asks, then succeeds", async () => {
    const { outcome, calls, gaps } = await run([
      { code: status.RESOURCE_EXHAUSTED, retryAfterMs: "120" },
      { code: status.RESOURCE_EXHAUSTED, retryAfterMs: "250" },
    ]);
    expect(outcome).toBe("ok");
    expect(calls).toBe(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(115);
    expect(gaps[1]).toBeGreaterThanOrEqual(245);
  });

  it("gives up after four calls", async () => {
    const busy = { code: status.RESOURCE_EXHAUSTED, retryAfterMs: "10" };
    const { outcome, calls } = await run([busy, busy, busy, busy, busy]);
    expect(outcome).toBe(status.RESOURCE_EXHAUSTED);
    expect(calls).toBe(4);
  });

  it("does not retry without a hint, with a hint too long to wait, or on other codes", async () => {
    expect(await run([{ code: status.RESOURCE_EXHAUSTED }])).toMatchObject({ outcome: status.RESOURCE_EXHAUSTED, calls: 1 });
    expect(await run([{ code: status.RESOURCE_EXHAUSTED, retryAfterMs: "60000" }])).toMatchObject({ outcome: status.RESOURCE_EXHAUSTED, calls: 1 });
    expect(await run([{ code: status.RESOURCE_EXHAUSTED, retryAfterMs: "soon" }])).toMatchObject({ outcome: status.RESOURCE_EXHAUSTED, calls: 1 });
    expect(await run([{ code: status.INVALID_ARGUMENT, retryAfterMs: "10" }])).toMatchObject({ outcome: status.INVALID_ARGUMENT, calls: 1 });
    expect(await run([{ code: status.UNAVAILABLE }])).toMatchObject({ outcome: status.UNAVAILABLE, calls: 1 });
  });
});
