// Property tests: the validators accept exactly the documented sets (names.ts), checked against oracles written
// from those descriptions, and every accepted path stays inside the collection root when resolved.
import path from "node:path";
import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { Llm2ClipError } from "../../src/errors";
import { MAX_ASSET_PATH_LENGTH, MAX_COLLECTION_NAME_LENGTH, validateAssetPath, validateCollectionName } from "../../src/store/names";

const PORTABLE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

function outcome(validate: () => string): "accepted" | "rejected" {
  try {
    validate();
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(Llm2ClipError);
    expect(error).toMatchObject({ kind: "invalid_argument", field: "the_field" });
    return "rejected";
  }
}

const nameChar = fc.oneof(fc.constantFrom(...PORTABLE), fc.constantFrom(".", " ", "/", "\\", "\0", ":", "é", "名", "*"));
const name = fc.oneof(
  fc.string({ unit: nameChar, maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(...PORTABLE), minLength: MAX_COLLECTION_NAME_LENGTH - 2, maxLength: MAX_COLLECTION_NAME_LENGTH + 2 }),
  fc.constantFrom(".", "..", "..."),
);

test.prop([name], { numRuns: 300 })("a collection name is accepted exactly when it is 1 to 64 portable characters, not . or ..", (candidate) => {
  const documented =
    candidate.length >= 1 &&
    candidate.length <= MAX_COLLECTION_NAME_LENGTH &&
    [...candidate].every((c) => PORTABLE.includes(c)) &&
    candidate !== "." &&
    candidate !== "..";
  expect(outcome(() => validateCollectionName(candidate, "the_field"))).toBe(documented ? "accepted" : "rejected");
});

const segment = fc.oneof(
  { arbitrary: fc.string({ unit: fc.constantFrom(..."ab.-_ 名:"), maxLength: 5 }), weight: 6 },
  { arbitrary: fc.constantFrom("", ".", "..", "...", "C:", "a\\b", "a\0b"), weight: 2 },
  { arbitrary: fc.constant("x".repeat(600)), weight: 1 },
);
const assetPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => segments.join("/"));

test.prop([assetPath], { numRuns: 400 })("an asset path is accepted exactly when it is relative, normal and '/'-separated", (candidate) => {
  const segments = candidate.split("/");
  const documented =
    candidate.length >= 1 &&
    candidate.length <= MAX_ASSET_PATH_LENGTH &&
    !candidate.includes("\0") &&
    !candidate.includes("\\") &&
    !/^[A-Za-z]:/.test(candidate) &&
    segments.every((s) => s !== "" && s !== "." && s !== "..");
  const result = outcome(() => validateAssetPath(candidate, "the_field"));
  expect(result).toBe(documented ? "accepted" : "rejected");
  if (result === "accepted") {
    expect(path.posix.normalize(candidate)).toBe(candidate);
    expect(path.posix.resolve("/root", candidate).startsWith("/root/")).toBe(true);
    expect(path.win32.resolve("C:\\root", candidate).startsWith("C:\\root\\")).toBe(true);
  }
});
