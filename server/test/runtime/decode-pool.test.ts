// The decode pool with its real worker bundle (server/build.mjs's decode-worker entry), real sharp and real SVG bombs.
import { readFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { DEFAULT_MAX_IMAGE_PIXELS, type PreprocessedImage, preprocessImage } from "../../src/model/image";
import { DecodePool, isRaster } from "../../src/runtime/decode-pool";
import { daemonBundle, REPO_ROOT } from "../../../test/support/daemon";
import { photoJpeg, svgUseBomb } from "../../../test/support/images";
import { openAiClipSpec } from "../model/openai-clip-spec";

const SPEC = openAiClipSpec(336);
const quiet = { warn: () => {} };
/** Far below the bomb's render time (minutes), far above a small image's preprocessing even on a loaded machine. */
const DEADLINE_MS = 10_000;
/** For the tests that are not about the deadline: none of their images comes near it. */
const NO_DEADLINE_MS = 600_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function outcome<T>(promise: Promise<T>): Promise<T | Llm2ClipError> {
  return promise.catch((error: unknown) => {
    if (error instanceof Llm2ClipError) return error;
    throw error;
  });
}

let script: string;
beforeAll(() => {
  script = path.join(path.dirname(daemonBundle()), "decode-worker.js");
});

const startPool = (timeoutMs: number) => DecodePool.start({ script, workers: 2, timeoutMs, timeoutName: "--decode-timeout-ms", log: quiet });

describe("DecodePool", () => {
  let pool: DecodePool;
  beforeAll(async () => {
    pool = await startPool(NO_DEADLINE_MS);
  });
  afterAll(() => pool.close());

  it("gives the pixels of in-process preprocessing, bit for bit", async () => {
    const transparent = await sharp({ create: { width: 300, height: 200, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.4 } } }).png().toBuffer();
    const inputs: [string, Buffer][] = [
      ["the tiny model's test picture", readFileSync(path.join(REPO_ROOT, "models/tiny-llm2clip/testset/test-00040.png"))],
      ["a 1000x700 JPEG", await photoJpeg(1000, 700)],
      ["a PNG with alpha", transparent],
      ["an SVG", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><circle cx="20" cy="15" r="9" fill="teal"/></svg>')],
    ];
    for (const [what, bytes] of inputs) {
      for (const spec of [SPEC, { ...SPEC, alpha: "composite" as const }]) {
        const local = await preprocessImage(bytes, spec, DEFAULT_MAX_IMAGE_PIXELS);
        const pooled = await pool.preprocess(bytes, spec, DEFAULT_MAX_IMAGE_PIXELS);
        expect({ width: pooled.width, height: pooled.height }, what).toEqual({ width: local.width, height: local.height });
        expect(Buffer.from(pooled.pixels.buffer, pooled.pixels.byteOffset, pooled.pixels.byteLength).equals(Buffer.from(local.pixels.buffer)), what).toBe(true);
      }
    }
  });

  it("passes the worker's errors on with their code, field and message", async () => {
    const error = await outcome(pool.preprocess(Buffer.from("not an image"), SPEC, DEFAULT_MAX_IMAGE_PIXELS));
    expect(error).toBeInstanceOf(Llm2ClipError);
    expect(error).toMatchObject({ kind: "invalid_argument", field: "image" });
    expect((error as Llm2ClipError).message).toMatch(/^image: cannot be decoded as PNG, JPEG, WebP, GIF or SVG \(12 bytes\)/);
  });

  it("stops an SVG bomb at the deadline, killing its worker, while an image sent after it is served", async () => {
    const pool = await startPool(DEADLINE_MS);
    onTestFinished(() => pool.close());
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: "red" } }).png().toBuffer();
    const before = pool.pids;
    const bomb = outcome(pool.preprocess(svgUseBomb(), SPEC, DEFAULT_MAX_IMAGE_PIXELS));
    let bombSettled = false;
    void bomb.then(() => (bombSettled = true));
    const good = await pool.preprocess(png, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    expect(good.width).toBe(64);
    expect(bombSettled).toBe(false);

    const error = await bomb;
    expect(error).toBeInstanceOf(Llm2ClipError);
    expect(error).toMatchObject({ kind: "invalid_argument", field: "image" });
    expect((error as Llm2ClipError).message).toBe(
      `image: took more than the limit of ${DEADLINE_MS} ms (--decode-timeout-ms) to decode and preprocess, and was stopped`,
    );
    await until(() => before.some((pid) => !pool.pids.includes(pid)), "the pool to drop the killed worker");
    const killed = before.filter((pid) => !pool.pids.includes(pid));
    expect(killed).toHaveLength(1);
    await until(() => !isAlive(killed[0]!), `worker ${killed[0]} to die`);
    // The pool replaces the killed worker and goes on serving.
    await until(() => pool.pids.length === 2, "a replacement worker");
    expect((await pool.preprocess(await photoJpeg(80, 60), SPEC, DEFAULT_MAX_IMAGE_PIXELS)).height).toBe(60);
  }, 120_000);

  it("keeps SVGs to all workers but one and turns away a long queue of them, while raster images pass", async () => {
    const pool = await startPool(NO_DEADLINE_MS);
    const bomb = svgUseBomb();
    const jpeg = await photoJpeg(200, 100);
    const bombs = Array.from({ length: 10 }, () => outcome(pool.preprocess(bomb, SPEC, DEFAULT_MAX_IMAGE_PIXELS)));
    let bombsSettled = 0;
    for (const b of bombs) void b.then(() => bombsSettled++);
    await pool.preprocess(jpeg, SPEC, DEFAULT_MAX_IMAGE_PIXELS);
    // Only the refused one has settled: the first bomb holds one worker, the other eight wait their turn.
    expect(bombsSettled).toBeLessThanOrEqual(1);
    await pool.close();
    const outcomes = await Promise.all(bombs);
    const refused = outcomes.filter((o) => o instanceof Llm2ClipError && o.kind === "resource_exhausted") as Llm2ClipError[];
    expect(refused).toHaveLength(1);
    expect(refused[0]!.message).toMatch(/^image: 8 SVGs already wait to be rendered \(the limit\); retry after \d+ ms$/);
    expect(refused[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o instanceof Llm2ClipError && o.kind === "unavailable")).toHaveLength(9);
  }, 120_000);

  it("replaces a worker that dies between images", async () => {
    const [victim] = pool.pids;
    process.kill(victim!, "SIGKILL");
    await until(() => pool.pids.length === 2 && !pool.pids.includes(victim!), "a replacement worker");
    expect((await pool.preprocess(await photoJpeg(50, 40), SPEC, DEFAULT_MAX_IMAGE_PIXELS)).width).toBe(50);
  });

  it("keeps the event loop free while a 4000x3000 photo is preprocessed, unlike preprocessing in-process", async () => {
    const big = await photoJpeg(4000, 3000);
    const longestGap = async (work: () => Promise<PreprocessedImage>) => {
      let last = performance.now();
      let gap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 10);
      await work();
      clearInterval(ticker);
      return Math.max(gap, performance.now() - last);
    };
    const inProcess = await longestGap(() => preprocessImage(big, SPEC, DEFAULT_MAX_IMAGE_PIXELS));
    const pooled = await longestGap(() => pool.preprocess(big, SPEC, DEFAULT_MAX_IMAGE_PIXELS));
    expect(pooled).toBeLessThan(inProcess / 2);
  }, 60_000);

  it("tells raster formats from the rest by their signatures", async () => {
    const solid = sharp({ create: { width: 4, height: 4, channels: 3, background: "blue" } });
    for (const bytes of [await solid.clone().png().toBuffer(), await solid.clone().jpeg().toBuffer(), await solid.clone().gif().toBuffer(), await solid.clone().webp().toBuffer()]) {
      expect(isRaster(bytes)).toBe(true);
    }
    expect(isRaster(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(false);
    expect(isRaster(Buffer.from("RIFF\0\0\0\0WAVE"))).toBe(false);
  });
});

describe("DecodePool.close", () => {
  it("refuses new images and stops its workers", async () => {
    const pool = await startPool(NO_DEADLINE_MS);
    const pids = pool.pids;
    await pool.close();
    expect(pids.some(isAlive)).toBe(false);
    await expect(pool.preprocess(Buffer.from("x"), SPEC, DEFAULT_MAX_IMAGE_PIXELS)).rejects.toMatchObject({ kind: "unavailable" });
  });

  it("fails to start, naming the script, when the worker cannot run", async () => {
    await expect(
      DecodePool.start({ script: path.join(path.dirname(script), "missing.js"), workers: 1, timeoutMs: 1_000, timeoutName: "x", log: quiet }),
    ).rejects.toThrow(/missing\.js exited \(code 1\) before it was ready/);
  });
});
