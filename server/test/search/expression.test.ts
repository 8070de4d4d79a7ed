import { describe, expect, it } from "vitest";
import { parseExpression } from "../../src/search/expression";

describe("parseExpression", () => {
  it("parses weighted, quoted and negative terms in rclip's style", () => {
    expect(parseExpression('cat + 2:"red" - "a dog"')).toEqual([
      { weight: 1, text: "cat" },
      { weight: 2, text: "red" },
      { weight: -1, text: "a dog" },
    ]);
  });

  it("keeps hyphens inside words and multi-word bare terms together", () => {
    expect(parseExpression("a small star at the top-left -0.5:blue background")).toEqual([
      { weight: 1, text: "a small star at the top-left" },
      { weight: -0.5, text: "blue background" },
    ]);
  });

  it("accepts a leading minus and non-Latin text", () => {
    expect(parseExpression('- 红色的圆形 + 1.5:"青色背景"')).toEqual([
      { weight: -1, text: "红色的圆形" },
      { weight: 1.5, text: "青色背景" },
    ]);
  });

  it.each([
    ['"red circle', /quote is never closed/],
    ["cat +", /term is missing after the operator/],
    ['cat + ""', /term is empty/],
    ["0:cat", /weight 0 is outside/],
    ['"a" "b"', /expected '\+' or '-' between terms/],
  ])("rejects %j naming the field and the column", (expression, reason) => {
    expect(() => parseExpression(expression)).toThrow(/^expression: .*at column \d+/);
    expect(() => parseExpression(expression)).toThrow(reason);
  });

  it("returns no terms for a blank expression", () => {
    expect(parseExpression("   ")).toEqual([]);
  });
});
