import { describe, expect, it } from "vitest";
import { withIndefiniteArticles } from "../../src/alttext/articles";

describe("withIndefiniteArticles", () => {
  it("writes an before a vowel sound and a before a consonant sound, whatever the text had", () => {
    expect(withIndefiniteArticles("a orange star on a gray background")).toBe("an orange star on a gray background");
    expect(withIndefiniteArticles("an large circle and a hour")).toBe("a large circle and an hour");
    expect(withIndefiniteArticles("a unicorn, a one-eyed cat, a X-ray")).toBe("a unicorn, a one-eyed cat, an X-ray");
  });

  it("keeps a capital article capital and leaves words that merely contain a or an alone", () => {
    expect(withIndefiniteArticles("A orange banana in a can")).toBe("An orange banana in a can");
  });
});
