import { describe, expect, it } from "vitest";
import { ImageAssembler } from "../../src/grpc/image-assembler";
import { GlobalByteBudget, StreamByteBudget } from "../../src/grpc/stream-budget";

const chunk = (id: string, text: string, last = false) => ({ id, chunk: Buffer.from(text), last });
/** An open image costs 448 bytes beside its id's characters (two bytes each): what the daemon's memory was seen to hold. */
const openImage = (id: string) => 448 + 2 * id.length;
/** An assembler whose stream may hold `imageBytes` of chunks beside two open images with ids of up to 4 characters. */
function assemblerWith(imageBytes: number) {
  const budget = new StreamByteBudget(new GlobalByteBudget(1 << 20), imageBytes + 2 * openImage("abcd"));
  return { assembler: new ImageAssembler(budget), budget };
}

describe("ImageAssembler", () => {
  it("joins the chunks of each id and completes an image at its last chunk", () => {
    const { assembler, budget } = assemblerWith(1024);
    expect(assembler.add(chunk("a", "he"))).toBeUndefined();
    expect(assembler.add(chunk("b", "wor"))).toBeUndefined();
    expect(budget.heldBytes).toBe(5 + 2 * 450);
    expect(assembler.add(chunk("a", "llo", true))).toEqual({ id: "a", bytes: Buffer.from("hello") });
    expect(assembler.add(chunk("b", "ld", true))).toEqual({ id: "b", bytes: Buffer.from("world") });
    expect(budget.heldBytes).toBe(10);
    assembler.release(5);
    expect(budget.heldBytes).toBe(5);
  });

  it("fails an empty image and an empty id, naming the field", () => {
    const { assembler, budget } = assemblerWith(1024);
    const empty = assembler.add(chunk("a", "", true));
    expect(empty).toMatchObject({ id: "a", error: { kind: "invalid_argument", field: "chunk" } });
    expect(empty && "error" in empty && empty.error.message).toMatch(/chunk: image 'a' is empty \(0 bytes\)/);
    const noId = assembler.add(chunk("", "xyz", true));
    expect(noId).toMatchObject({ id: "", error: { kind: "invalid_argument", field: "id" } });
    expect(budget.heldBytes).toBe(0);
  });

  it("drops an image that would exceed the stream's buffer bound, names the limit, and frees its bytes", () => {
    const { assembler, budget } = assemblerWith(8);
    assembler.add(chunk("big", "12345"));
    expect(budget.heldBytes).toBe(454 + 5);
    const over = assembler.add(chunk("big", "x".repeat(500), true));
    expect(over).toMatchObject({ id: "big", error: { kind: "resource_exhausted", field: "chunk" } });
    expect(over && "error" in over && over.error.message).toMatch(/^image 'big': chunk: this stream would hold 959 bytes, over the limit of 920/);
    expect(budget.heldBytes).toBe(0);
    const small = assembler.add(chunk("small", "1234", true));
    expect(small).toEqual({ id: "small", bytes: Buffer.from("1234") });
  });

  it("reports images left without a last chunk when the client stops sending", () => {
    const { assembler, budget } = assemblerWith(1024);
    assembler.add(chunk("open", "abc"));
    const [unfinished] = assembler.closeUnfinished();
    expect(unfinished).toMatchObject({ id: "open", error: { field: "last" } });
    expect("error" in unfinished && unfinished.error.message).toMatch(/image 'open' ended without a chunk marked last/);
    expect(budget.heldBytes).toBe(0);
  });

  it("ends the stream when the ids of open images alone exceed the budget", () => {
    const { assembler } = assemblerWith(0);
    assembler.add(chunk("a", ""));
    assembler.add(chunk("b", ""));
    expect(() => assembler.add(chunk("c", ""))).toThrow(/^id: this stream would hold 1350 bytes, over the limit of 912/);
  });
});

describe("StreamByteBudget", () => {
  it("returns a closed stream's bytes to the global budget once, whatever is given back later", () => {
    const global = new GlobalByteBudget(100);
    const stream = new StreamByteBudget(global, 80);
    stream.take(60, "chunk");
    expect(global.heldBytes).toBe(60);
    stream.close();
    stream.give(60);
    expect(global.heldBytes).toBe(0);
    expect(() => new StreamByteBudget(global, 200).take(101, "chunk")).toThrow(/over the limit of 100 \(llm2clipd --max-buffer-bytes\)/);
  });
});
