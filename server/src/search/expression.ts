import { invalidArgument } from "../errors";

export interface ExpressionTerm {
  /** Signed: a term after '-' has a negative weight. */
  weight: number;
  text: string;
}

export const MAX_TERM_WEIGHT = 100;

/**
 * Parses an rclip-style query expression: terms joined by '+' and '-', each optionally weighted (`2:red`) and optionally
 * quoted (`"a dog"`). '+' and '-' are operators only at the start or after whitespace, so `top-left` stays one word.
 * Example: `cat + 2:"red" - dog` gives cat (1), red (2), dog (-1).
 */
export function parseExpression(expression: string, field = "expression"): ExpressionTerm[] {
  const terms: ExpressionTerm[] = [];
  let i = 0;
  let sign = 1;
  let expectTerm = true;
  const n = expression.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(expression[i]!)) i++;
  };
  const fail = (message: string) => invalidArgument(field, `${message} at column ${i + 1} of ${JSON.stringify(expression)}`);

  skipSpace();
  const leadingSign = i < n && (expression[i] === "+" || expression[i] === "-");
  if (leadingSign) {
    sign = expression[i] === "-" ? -1 : 1;
    i++;
  }
  while (true) {
    skipSpace();
    if (i >= n) {
      if (expectTerm && (terms.length > 0 || leadingSign)) throw fail("a term is missing after the operator");
      break;
    }
    if (!expectTerm) {
      const op = expression[i];
      if (op !== "+" && op !== "-") throw fail(`expected '+' or '-' between terms, found ${JSON.stringify(op)}`);
      sign = op === "-" ? -1 : 1;
      i++;
      expectTerm = true;
      continue;
    }
    let weight = 1;
    const weighted = /^(\d+(?:\.\d+)?|\.\d+):/.exec(expression.slice(i));
    if (weighted) {
      weight = Number(weighted[1]);
      if (weight === 0 || weight > MAX_TERM_WEIGHT) throw fail(`weight ${weighted[1]} is outside (0, ${MAX_TERM_WEIGHT}]`);
      i += weighted[0].length;
    }
    let text: string;
    if (expression[i] === '"') {
      const close = expression.indexOf('"', i + 1);
      if (close < 0) throw fail("the quote is never closed");
      text = expression.slice(i + 1, close);
      i = close + 1;
    } else {
      const start = i;
      // A bare term runs until an operator that follows whitespace.
      while (i < n && !(i > start && /\s/.test(expression[i - 1]!) && (expression[i] === "+" || expression[i] === "-"))) i++;
      text = expression.slice(start, i);
    }
    text = text.trim();
    if (text.length === 0) throw fail("a term is empty");
    terms.push({ weight: sign * weight, text });
    expectTerm = false;
  }
  return terms;
}
