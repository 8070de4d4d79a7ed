// Bad input against a real llm2clipd: each case gets the right status, a message naming the field (and the limit where
// there is one), and the daemon keeps serving: the next valid call succeeds.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { EmbedTextsResponse, ModelInfo, ScoreCaptionsRequest, ScoreCaptionsResponse, SyncAssetsResponse } from "@llm2clip/proto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR, failure, startDaemon, unary, type RunningDaemon } from "../support/daemon";
import { embedImages } from "../support/grpc-clients";
import { flatImage } from "../support/images";

const MAX_MESSAGE_BYTES = 256 * 1024;
// Small, yet large enough for the model's own self-check image at start-up.
const MAX_IMAGE_PIXELS = Math.max(4096, await selfCheckPixels());
const BOMB_SIDE = Math.ceil(Math.sqrt(MAX_IMAGE_PIXELS)) + 1;
const MAX_STREAM_BUFFER_BYTES = 100_000;
async function selfCheckPixels(): Promise<number> {
  const manifest = JSON.parse(await readFile(path.join(DEFAULT_MODEL_DIR, "manifest.json"), "utf8"));
  const { width, height } = await sharp(path.join(DEFAULT_MODEL_DIR, manifest.self_check.image)).metadata();
  return width * height;
}

let daemon: RunningDaemon;
let info: ModelInfo;
let goodImage: Buffer;

beforeAll(async () => {
  daemon = await startDaemon([
    "--max-message-bytes", String(MAX_MESSAGE_BYTES),
    "--max-image-pixels", String(MAX_IMAGE_PIXELS),
    "--max-captions", "4",
    "--max-texts", "300",
    "--max-stream-buffer-bytes", String(MAX_STREAM_BUFFER_BYTES),
    // Small batches keep the model busy long enough for the deadline and cancel cases to land mid-way.
    "--max-batch", "2",
  ]);
  info = await unary<ModelInfo>((done) => daemon.client().getModelInfo({}, done));
  goodImage = await flatImage("#2040e0", 48, 48);
});

afterAll(async () => {
  await daemon?.stop();
});

const score = (request: Partial<ScoreCaptionsRequest>) =>
  unary<ScoreCaptionsResponse>((done) => daemon.client().scoreCaptions({ captions: [], ...request }, done));
const embedTexts = (texts: string[], options: { deadline?: number } = {}) =>
  unary<EmbedTextsResponse>((done) => daemon.client().embedTexts({ texts, includeFeatures: false }, new Metadata(), options, done));

/** The error's status and message; then proves the daemon still serves a valid call. */
async function expectRejected(call: Promise<unknown>, code: status, message: RegExp): Promise<ServiceError> {
  const error = await failure(call);
  expect(status[error.code]).toBe(status[code]);
  expect(error.details).toMatch(message);
  const next = await score({ image: { data: goodImage }, captions: ["a blue square", "a red circle"] });
  expect(next.scores).toHaveLength(2);
  return error;
}

describe("ScoreCaptions rejects a bad image", () => {
  it("zero bytes", async () => {
    await expectRejected(score({ image: { data: Buffer.alloc(0) }, captions: ["x"] }), status.INVALID_ARGUMENT, /^image\.data: is empty \(0 bytes\)/);
  });

  it("corrupt bytes", async () => {
    const junk = Buffer.from("this is not an image, just some text bytes");
    await expectRejected(score({ image: { data: junk }, captions: ["x"] }), status.INVALID_ARGUMENT, /^image\.data: cannot be decoded/);
  });

  it("a truncated PNG", async () => {
    const png = await sharp({ create: { width: 60, height: 60, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } }).png().toBuffer();
    const truncated = png.subarray(0, Math.floor(png.length / 2));
    await expectRejected(score({ image: { data: truncated }, captions: ["x"] }), status.INVALID_ARGUMENT, /^image\.data: .*(corrupt or truncated|cannot be decoded)/);
  });

  it("an unsupported format", async () => {
    const tiff = await flatImage("#ff0000", 20, 20, "tiff");
    await expectRejected(score({ image: { data: tiff }, captions: ["x"] }), status.INVALID_ARGUMENT, /^image\.data: format tiff is not supported/);
  });

  it("a pixel bomb over --max-image-pixels", async () => {
    const large = await flatImage("#ff0000", BOMB_SIDE, BOMB_SIDE);
    await expectRejected(
      score({ image: { data: large }, captions: ["x"] }),
      status.INVALID_ARGUMENT,
      new RegExp(`^image\\.data: is ${BOMB_SIDE}x${BOMB_SIDE} = ${BOMB_SIDE ** 2} pixels, over the limit of ${MAX_IMAGE_PIXELS} pixels`),
    );
  });

  it("a missing image", async () => {
    await expectRejected(score({ captions: ["x"] }), status.INVALID_ARGUMENT, /^image: is required: set image\.data/);
  });

  it("an indexed asset in a collection that does not exist", async () => {
    await expectRejected(
      score({ image: { asset: { collection: "docs", path: "a.png" } }, captions: ["x"] }),
      status.NOT_FOUND,
      /^image\.asset\.collection: collection 'docs' does not exist/,
    );
  });

  it("a message over --max-message-bytes, with RESOURCE_EXHAUSTED from the transport naming the limit", async () => {
    const huge = Buffer.alloc(MAX_MESSAGE_BYTES + 1024, 7);
    await expectRejected(score({ image: { data: huge }, captions: ["x"] }), status.RESOURCE_EXHAUSTED, new RegExp(`larger than max \\(\\d+ vs\\.? ${MAX_MESSAGE_BYTES}\\)`));
  });
});

describe("caption and text lists", () => {
  it("rejects an empty caption list", async () => {
    await expectRejected(score({ image: { data: goodImage }, captions: [] }), status.INVALID_ARGUMENT, /^captions: must hold at least one text/);
  });

  it("rejects more captions than --max-captions, naming the limit", async () => {
    await expectRejected(
      score({ image: { data: goodImage }, captions: ["a", "b", "c", "d", "e"] }),
      status.INVALID_ARGUMENT,
      /^captions: 5 texts exceed the limit of 4 \(llm2clipd --max-captions\)/,
    );
  });

  it("rejects an empty caption, naming its index", async () => {
    await expectRejected(score({ image: { data: goodImage }, captions: ["a dog", "  "] }), status.INVALID_ARGUMENT, /^captions\[1\]: must not be empty/);
  });

  it("rejects an empty EmbedTexts list, a blank text and more texts than --max-texts", async () => {
    await expectRejected(embedTexts([]), status.INVALID_ARGUMENT, /^texts: must hold at least one text/);
    await expectRejected(embedTexts(["ok", ""]), status.INVALID_ARGUMENT, /^texts\[1\]: must not be empty/);
    await expectRejected(embedTexts(Array(301).fill("x")), status.INVALID_ARGUMENT, /^texts: 301 texts exceed the limit of 300 \(llm2clipd --max-texts\)/);
  });

  it("truncates a caption over the token limit word by word, and says so", async () => {
    const long = Array.from({ length: 1500 }, (_, i) => (i % 2 ? "circle" : "red")).join(" ");
    const scored = await score({ image: { data: goodImage }, captions: [long, "a red circle"] });
    expect(scored.scores.map((s) => s.truncated)).toEqual([true, false]);
    const [text] = (await embedTexts([long])).results;
    expect(text.truncated).toBe(true);
    expect(text.tokenCount).toBeLessThanOrEqual(info.maxTokens);
    expect(text.tokenCount).toBeGreaterThan(info.maxTokens / 2);
  });
});

describe("EmbedImages bounds what one stream buffers", () => {
  it("ends a stream whose message is over --max-message-bytes with RESOURCE_EXHAUSTED", async () => {
    const huge = Buffer.alloc(MAX_MESSAGE_BYTES + 1024, 7);
    await expectRejected(
      embedImages(daemon.client(), [{ id: "huge", chunk: huge, last: true }]),
      status.RESOURCE_EXHAUSTED,
      new RegExp(`larger than max \\(\\d+ vs\\.? ${MAX_MESSAGE_BYTES}\\)`),
    );
  });

  it("fails the image that would exceed --max-stream-buffer-bytes and keeps the others", async () => {
    const half = Math.floor(goodImage.length / 2);
    const junk = Buffer.alloc(90_000, 1);
    const responses = await embedImages(daemon.client(), [
      { id: "good", chunk: goodImage.subarray(0, half), last: false },
      { id: "big", chunk: junk, last: false },
      { id: "big", chunk: junk, last: false },
      { id: "good", chunk: goodImage.subarray(half), last: true },
      { id: "big", chunk: Buffer.alloc(10, 1), last: true },
    ]);
    expect(responses.map((r) => r.id)).toEqual(["good", "big"]);
    expect(responses[0].error).toBeUndefined();
    expect(responses[0].embedding!.values).toHaveLength(info.embedDim);
    expect(responses[1].error!.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(responses[1].error!.message).toMatch(
      new RegExp(`^image 'big': chunk: this stream would hold \\d+ bytes, over the limit of ${MAX_STREAM_BUFFER_BYTES} \\(llm2clipd --max-stream-buffer-bytes\\)`),
    );
  });
});

/** Distinct captions long enough that encoding them all keeps the model busy well past a 20 ms deadline. */
function manyCaptions(tag: string): string[] {
  const colours = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown"];
  return Array.from({ length: 200 }, (_, i) =>
    `${tag} ${i}: a large ${colours[i % 8]} circle at the top left and a small ${colours[(i + 3) % 8]} star at the bottom right on a white background`,
  );
}

/**
 * How many of `texts` the model encoded. The batcher serves items in arrival order, so once a call made now returns,
 * any work still queued from an earlier call would have run and filled the text-feature cache.
 */
async function encodedBefore(texts: string[]): Promise<number> {
  await embedTexts(["a barrier caption that is not in the cache"]);
  const again = await embedTexts(texts);
  return again.results.filter((result) => result.cached).length;
}

describe("an abandoned call stops its work", () => {
  it("deadline exceeded: DEADLINE_EXCEEDED, and the texts not yet encoded are never encoded", async () => {
    const texts = manyCaptions("deadline");
    const error = await failure(embedTexts(texts, { deadline: Date.now() + 20 }));
    expect(error.code).toBe(status.DEADLINE_EXCEEDED);
    expect(await encodedBefore(texts)).toBeLessThan(texts.length);
  });

  it("client cancel: CANCELLED, and the texts not yet encoded are never encoded", async () => {
    const texts = manyCaptions("cancel");
    const call = unary<EmbedTextsResponse>((done) => {
      const pending = daemon.client().embedTexts({ texts, includeFeatures: false }, done);
      setTimeout(() => pending.cancel(), 20);
    });
    const error = await failure(call);
    expect(error.code).toBe(status.CANCELLED);
    expect(await encodedBefore(texts)).toBeLessThan(texts.length);
  });

  it("a cancelled EmbedImages stream stops answering and the daemon goes on", async () => {
    const images = await Promise.all(
      Array.from({ length: 120 }, (_, i) => flatImage(`#${(i * 2).toString(16).padStart(2, "0")}8040`, 40, 40)),
    );
    const call = daemon.client().embedImages();
    const answered = await new Promise<number>((resolve) => {
      let count = 0;
      call.on("data", () => {
        if (++count === 1) call.cancel();
      });
      call.on("error", () => resolve(count));
      images.forEach((chunk, i) => call.write({ id: String(i), chunk, last: true }));
    });
    expect(answered).toBeLessThan(images.length);
    const line = await daemon.waitForLog(/EmbedImages: stopped, the call was cancelled or its deadline passed; \d+ images were answered/);
    expect(Number(/(\d+) images were answered/.exec(line)![1])).toBeLessThan(images.length);
    const next = await score({ image: { data: goodImage }, captions: ["a blue square"] });
    expect(next.scores).toHaveLength(1);
  });
});

describe("request bodies that do not decode are INVALID_ARGUMENT, not INTERNAL", () => {
  /** EmbedTexts with `body` sent as is, bypassing the generated encoder. */
  function rawEmbedTexts(body: Buffer): Promise<unknown> {
    const Raw = makeGenericClientConstructor(
      {
        embedTexts: {
          path: "/llm2clip.v1.Llm2Clip/EmbedTexts",
          requestStream: false,
          responseStream: false,
          requestSerialize: (bytes: Buffer) => bytes,
          requestDeserialize: (bytes: Buffer) => bytes,
          responseSerialize: (bytes: Buffer) => bytes,
          responseDeserialize: (bytes: Buffer) => bytes,
        },
      },
      "Raw",
    );
    const client = new Raw(daemon.address, credentials.createInsecure()) as unknown as {
      embedTexts(body: Buffer, done: (error: ServiceError | null, response: Buffer) => void): void;
      close(): void;
    };
    return unary<Buffer>((done) => client.embedTexts(body, done)).finally(() => client.close());
  }

  it("a malformed protobuf body", async () => {
    // Field 1 (texts) says 100 bytes follow; there are 2.
    const error = await failure(rawEmbedTexts(Buffer.from([0x0a, 100, 0x61, 0x62])));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^request: the message is not valid protobuf for this method/);
    expect((await embedTexts(["still serving"])).results).toHaveLength(1);
  });

  it("a string that is not valid UTF-8, which is refused rather than replaced", async () => {
    const error = await failure(rawEmbedTexts(Buffer.from([0x0a, 3, 0x61, 0xff, 0xfe])));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe("request: a string field is not valid UTF-8");
  });

  it("a 64-bit size above 2^53 in a SyncAssets manifest", async () => {
    const call = daemon.client().syncAssets();
    const error = await new Promise<ServiceError>((resolve, reject) => {
      call.on("data", (_: SyncAssetsResponse) => undefined);
      call.on("error", resolve);
      call.on("end", () => reject(new Error("the stream ended without an error")));
      call.write({
        manifest: { collection: "huge", full: false, more: false, entries: [{ path: "a.png", sha256: "a".repeat(64), size: 2 ** 60, mtimeMs: 1, altTexts: [] }] },
      });
    });
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^request: a 64-bit integer field \(such as size or mtime_ms\) is beyond ±9007199254740991 \(2\^53 - 1\)/);
  });
});
