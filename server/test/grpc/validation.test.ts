import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { atField, requireTexts } from "../../src/grpc/validation";

describe("requireTexts", () => {
  it("accepts one to `limit` non-blank texts", () => {
    expect(requireTexts("captions", ["a", "b"], 2, "--max-captions")).toEqual(["a", "b"]);
  });

  it("names the field, the count and the limit", () => {
    expect(() => requireTexts("captions", [], 2, "--max-captions")).toThrow(/^captions: must hold at least one text$/);
    expect(() => requireTexts("captions", ["a", "b", "c"], 2, "--max-captions")).toThrow(
      /^captions: 3 texts exceed the limit of 2 \(llm2clipd --max-captions\)$/,
    );
    expect(() => requireTexts("texts", ["a", "  \n"], 2, "--max-texts")).toThrow(/^texts\[1\]: must not be empty/);
  });
});

describe("atField", () => {
  it("re-attributes a domain error to the request field, keeping its kind", () => {
    const error = atField("image.data", new Llm2ClipError("invalid_argument", "image: not a PNG", "image"));
    expect(error).toMatchObject({ kind: "invalid_argument", field: "image.data", message: "image.data: not a PNG" });
  });

  it("keeps the whole message when it does not start with the error's own field, and keeps the retry hint", () => {
    const named = atField("images[2]", new Llm2ClipError("invalid_argument", "not a PNG: the signature is wrong", "image"));
    expect(named).toMatchObject({ field: "images[2]", message: "images[2]: not a PNG: the signature is wrong" });
    const unnamed = atField("texts[0]", new Llm2ClipError("resource_exhausted", "undefined: the queue is full", undefined, 40));
    expect(unnamed).toMatchObject({ kind: "resource_exhausted", field: "texts[0]", message: "texts[0]: undefined: the queue is full", retryAfterMs: 40 });
  });

  it("leaves cancellation, an exceeded deadline and foreign errors alone", () => {
    const cancelled = new Llm2ClipError("cancelled", "stopped");
    expect(atField("texts[0]", cancelled)).toBe(cancelled);
    const pastDeadline = new Llm2ClipError("deadline_exceeded", "the deadline passed");
    expect(atField("texts[0]", pastDeadline)).toBe(pastDeadline);
    const foreign = new TypeError("boom");
    expect(atField("texts[0]", foreign)).toBe(foreign);
  });
});
