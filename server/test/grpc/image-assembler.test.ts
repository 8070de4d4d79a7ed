import { describe, expect, it } from "vitest";
import { ImageAssembler } from "../../src/grpc/image-assembler";

const chunk = (id: string, text: string, last = false) => ({ id, chunk: Buffer.from(text), last });

describe("ImageAssembler", () => {
  it("joins the chunks of each id and completes an image at its last chunk", () => {
    const assembler = new ImageAssembler(1024);
    expect(assembler.add(chunk("a", "he"))).toBeUndefined();
    expect(assembler.add(chunk("b", "wor"))).toBeUndefined();
    expect(assembler.add(chunk("a", "llo", true))).toEqual({ id: "a", bytes: Buffer.from("hello") });
    expect(assembler.add(chunk("b", "ld", true))).toEqual({ id: "b", bytes: Buffer.from("world") });
    expect(assembler.bufferedBytes).toBe(10);
    assembler.release(5);
    expect(assembler.bufferedBytes).toBe(5);
  });

  it("fails an empty image and an empty id, naming the field", () => {
    const assembler = new ImageAssembler(1024);
    const empty = assembler.add(chunk("a", "", true));
    expect(empty).toMatchObject({ id: "a", error: { kind: "invalid_argument", field: "chunk" } });
    expect(empty && "error" in empty && empty.error.message).toMatch(/chunk: image 'a' is empty \(0 bytes\)/);
    const noId = assembler.add(chunk("", "xyz", true));
    expect(noId).toMatchObject({ id: "", error: { kind: "invalid_argument", field: "id" } });
    expect(assembler.bufferedBytes).toBe(0);
  });

  it("drops an image that would exceed the stream's buffer bound, names the limit, and frees its bytes", () => {
    const assembler = new ImageAssembler(8);
    assembler.add(chunk("big", "12345"));
    assembler.add(chunk("big", "6789"));
    expect(assembler.bufferedBytes).toBe(0);
    expect(assembler.add(chunk("big", "more bytes", true))).toMatchObject({ id: "big", error: { kind: "resource_exhausted", field: "chunk" } });
    const small = assembler.add(chunk("small", "1234", true));
    expect(small).toEqual({ id: "small", bytes: Buffer.from("1234") });
  });

  it("reports images left without a last chunk when the client stops sending", () => {
    const assembler = new ImageAssembler(1024);
    assembler.add(chunk("open", "abc"));
    const [unfinished] = assembler.closeUnfinished();
    expect(unfinished).toMatchObject({ id: "open", error: { field: "last" } });
    expect("error" in unfinished && unfinished.error.message).toMatch(/image 'open' ended without a chunk marked last/);
    expect(assembler.bufferedBytes).toBe(0);
  });
});
