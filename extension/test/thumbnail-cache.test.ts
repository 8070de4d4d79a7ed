// Search thumbnails: the extension's content-hash cache in front of a real daemon's RenderThumbnail, on real files.
import { status, type ServiceError } from "@grpc/grpc-js";
import type { Llm2ClipClient, RenderThumbnailResponse } from "@llm2clip/proto";
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, REPO_ROOT, startDaemon, unary, type RunningDaemon } from "../../test/support/daemon";
import { flatImage, screenshotSvg } from "../../test/support/images";
import { ThumbnailCache } from "../src/thumbnails/thumbnail-cache";

const MODEL = path.join(REPO_ROOT, "models", "testing", "random-tiny");

describe("ThumbnailCache with llm2clipd's RenderThumbnail", () => {
  let daemon: RunningDaemon;
  let client: Llm2ClipClient;
  let scratch: string;
  let renders = 0;
  const render = (image: Buffer, size: number) => {
    renders += 1;
    return unary<RenderThumbnailResponse>((done) => client.renderThumbnail({ image, size }, done)).then((response) => response.png);
  };

  beforeAll(async () => {
    daemon = await startDaemon(["--model", MODEL, "--device", "cpu"]);
    client = daemon.client();
    scratch = mkdtempSync(path.join(os.tmpdir(), "llm2clip-thumbnails-"));
    writeFileSync(path.join(scratch, "phone.png"), await sharp(screenshotSvg(5, 1320, 2868)).png().toBuffer());
    writeFileSync(path.join(scratch, "red.png"), await flatImage("#ff0000", 300, 200));
  });

  afterAll(async () => {
    client?.close();
    await daemon?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("renders an image once; the same content under another name, a second search or a new cache reads the file", async () => {
    const folder = path.join(scratch, "cache-a");
    const cache = new ThumbnailCache(folder, render);
    renders = 0;
    const first = await cache.thumbnail(path.join(scratch, "phone.png"), 64);
    const meta = await sharp(first).metadata();
    expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(["png", 64, 64, true]);
    expect(renders).toBe(1);
    const written = statSync(first).mtimeMs;
    copyFileSync(path.join(scratch, "phone.png"), path.join(scratch, "phone-copy.png"));
    expect(await cache.thumbnail(path.join(scratch, "phone.png"), 64)).toBe(first);
    expect(await cache.thumbnail(path.join(scratch, "phone-copy.png"), 64)).toBe(first);
    // A reloaded window builds a new cache over the same folder.
    expect(await new ThumbnailCache(folder, render).thumbnail(path.join(scratch, "phone.png"), 64)).toBe(first);
    expect(renders).toBe(1);
    expect(statSync(first).mtimeMs).toBe(written);
  });

  it("renders again when the content or the size changes, and shares one render between concurrent requests", async () => {
    const cache = new ThumbnailCache(path.join(scratch, "cache-b"), render);
    renders = 0;
    const red = path.join(scratch, "red.png");
    const together = await Promise.all([cache.thumbnail(red, 64), cache.thumbnail(red, 64), cache.thumbnail(red, 64)]);
    expect(new Set(together).size).toBe(1);
    expect(renders).toBe(1);
    expect(await cache.thumbnail(red, 128)).not.toBe(together[0]);
    expect(renders).toBe(2);
    writeFileSync(red, await flatImage("#0000ff", 300, 200));
    const blue = await cache.thumbnail(red, 64);
    expect(blue).not.toBe(together[0]);
    expect(renders).toBe(3);
    const { data } = await sharp(blue).raw().toBuffer({ resolveWithObject: true });
    // The centre pixel of the letterboxed thumbnail is the new image's blue.
    const centre = (32 * 64 + 32) * 4;
    expect([data[centre], data[centre + 1], data[centre + 2], data[centre + 3]]).toEqual([0, 0, 255, 255]);
  });

  it("answers a bad size with INVALID_ARGUMENT naming the field and the limit, and keeps serving", async () => {
    const image = await flatImage("#00ff00");
    const error: ServiceError = await failure(unary((done) => client.renderThumbnail({ image, size: 600 }, done)));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/size: 600 is outside 16 to 512 pixels/);
    const empty: ServiceError = await failure(unary((done) => client.renderThumbnail({ image: Buffer.alloc(0), size: 0 }, done)));
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
    expect(empty.details).toMatch(/image: is empty/);
    const ok = await unary<RenderThumbnailResponse>((done) => client.renderThumbnail({ image, size: 0 }, done));
    expect(ok.shown).toEqual({ left: 0, top: 0, width: 48, height: 40 });
    expect((await sharp(ok.png).metadata()).width).toBe(64);
  });
});
