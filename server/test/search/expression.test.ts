import { describe, expect, it } from "vitest";
import { Llm2ClipError } from "../../src/errors";
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

  it("reads a leading '+' as the first term's sign", () => {
    expect(parseExpression("+ cat - dog")).toEqual([
      { weight: 1, text: "cat" },
      { weight: -1, text: "dog" },
    ]);
  });

  it("takes weights up to 100, written with or without a leading digit", () => {
    expect(parseExpression("100:cat - .5:dog")).toEqual([
      { weight: 100, text: "cat" },
      { weight: -0.5, text: "dog" },
    ]);
  });

  it.each([
    ['"red circle', "the quote is never closed at column 1"],
    ["cat +", "a term is missing after the operator at column 6"],
    ["  -", "a term is missing after the operator at column 4"],
    ['cat + ""', "a term is empty at column 9"],
    ["0:cat", "weight 0 is outside (0, 100] at column 1"],
    ["cat - 100.5:dog", "weight 100.5 is outside (0, 100] at column 7"],
    ['"a" "b"', `expected '+' or '-' between terms, found "\\"" at column 5`],
  ])("rejects %j as invalid_argument, naming the field, the problem and the column", (expression, reason) => {
    let error: unknown;
    try {
      parseExpression(expression, "query");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Llm2ClipError);
    expect(error).toMatchObject({ kind: "invalid_argument", field: "query", message: `query: ${reason} of ${JSON.stringify(expression)}` });
  });

  it("returns no terms for a blank expression", () => {
    expect(parseExpression("   ")).toEqual([]);
  });
});
