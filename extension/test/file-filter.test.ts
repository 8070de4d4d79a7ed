import { describe, expect, it } from "vitest";
import { imagePathFilter } from "../src/indexing/file-filter";

const DEFAULT_INCLUDE = ["**/*.{png,jpg,jpeg,gif,webp,svg,PNG,JPG,JPEG,GIF,WEBP,SVG}"];

describe("imagePathFilter", () => {
  it("takes the six image formats in any case, and nothing else", () => {
    const accept = imagePathFilter({ include: DEFAULT_INCLUDE, exclude: [], filesExclude: {} });
    expect(["a.png", "b/c.JPG", "d.jpeg", "e.gif", "f/g/h.webp", "i.svg"].filter(accept)).toHaveLength(6);
    expect(["a.bmp", "b.png.txt", "docs/readme.md", "c.tiff"].filter(accept)).toEqual([]);
  });

  it("always skips node_modules and .git, at any depth", () => {
    const accept = imagePathFilter({ include: DEFAULT_INCLUDE, exclude: [], filesExclude: {} });
    expect(accept("node_modules/pkg/logo.png")).toBe(false);
    expect(accept("packages/app/node_modules/x/y.svg")).toBe(false);
    expect(accept(".git/objects/a.png")).toBe(false);
    expect(accept("docs/node_modules.png")).toBe(true);
  });

  it("respects files.exclude patterns that are on, for files and folders", () => {
    const accept = imagePathFilter({ include: DEFAULT_INCLUDE, exclude: [], filesExclude: { "**/build": true, "**/*.tmp.png": true, "**/drafts": false } });
    expect(accept("build/shot.png")).toBe(false);
    expect(accept("site/build/nested/shot.png")).toBe(false);
    expect(accept("img/a.tmp.png")).toBe(false);
    expect(accept("drafts/a.png")).toBe(true);
  });

  it("applies the include and exclude settings", () => {
    const accept = imagePathFilter({ include: ["docs/**/*.png", "assets/*.svg"], exclude: ["docs/generated/**"], filesExclude: {} });
    expect(accept("docs/a/b.png")).toBe(true);
    expect(accept("assets/logo.svg")).toBe(true);
    expect(accept("assets/deep/logo.svg")).toBe(false);
    expect(accept("src/a.png")).toBe(false);
    expect(accept("docs/generated/c.png")).toBe(false);
  });
});
