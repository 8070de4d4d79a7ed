import { describe, expect, it } from "vitest";
import { validateAssetPath, validateCollectionName } from "../../src/store/names";

describe("validateAssetPath", () => {
  it.each([
    ["../secret.png", /escapes the collection root/],
    ["a/../../b.png", /escapes/],
    ["/etc/passwd", /absolute/],
    ["C:/x.png", /absolute/],
    ["a\\b.png", /backslash/],
    ["a\0b.png", /NUL/],
    ["a//b.png", /empty or '.' segment/],
    ["./a.png", /empty or '.' segment/],
    ["", /required/],
  ])("rejects %j naming the field", (path, reason) => {
    expect(() => validateAssetPath(path, "manifest.entries[3].path")).toThrow(/^manifest\.entries\[3\]\.path: /);
    expect(() => validateAssetPath(path, "manifest.entries[3].path")).toThrow(reason);
  });

  it("accepts normal relative paths, including dots inside names", () => {
    expect(validateAssetPath("docs/img/a..b.png", "p")).toBe("docs/img/a..b.png");
    expect(validateAssetPath("图片/猫.webp", "p")).toBe("图片/猫.webp");
  });
});

describe("validateCollectionName", () => {
  it("allows a portable character set and names the limit", () => {
    expect(validateCollectionName("my-docs_1.0", "name")).toBe("my-docs_1.0");
    expect(() => validateCollectionName("a/b", "name")).toThrow(/^name: .*A-Z a-z 0-9/);
    expect(() => validateCollectionName("..", "name")).toThrow(/name:/);
    expect(() => validateCollectionName("x".repeat(65), "name")).toThrow(/65 characters, the limit is 64/);
  });
});
