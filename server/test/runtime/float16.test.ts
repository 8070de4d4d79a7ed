import { describe, expect, it } from "vitest";
import { float16ToFloat32, float32ToFloat16, fromFloat16Bits, toFloat16Bits } from "../../src/runtime/float16";

// Every finite non-negative float16, ascending, as [bits, value]: a brute-force reference for rounding.
const positives: Array<[number, number]> = [];
for (let bits = 0; bits < 0x7c00; bits++) positives.push([bits, fromFloat16Bits(bits)]);

/** Nearest float16 by search, ties to the even bit pattern; beyond the largest finite value, infinity. */
function referenceBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(x);
  const max = 65504;
  // Values at or past max + half an ulp (2^4) round to infinity.
  if (magnitude >= max + 16) return sign | 0x7c00;
  let lo = 0;
  let hi = positives.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positives[mid][1] <= magnitude) lo = mid;
    else hi = mid;
  }
  const [loBits, loValue] = positives[lo];
  const [hiBits, hiValue] = positives[hi];
  const dLo = magnitude - loValue;
  const dHi = hiValue - magnitude;
  if (dLo < dHi) return sign | loBits;
  if (dHi < dLo) return sign | hiBits;
  return sign | (loBits % 2 === 0 ? loBits : hiBits);
}

describe("float16 conversion", () => {
  it("decodes known bit patterns", () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x0400)).toBe(2 ** -14);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.33325, 5);
    expect(fromFloat16Bits(0x7c00)).toBe(Infinity);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
  });

  it("round-trips every float16 bit pattern exactly", () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = fromFloat16Bits(bits);
      if (Number.isNaN(value)) {
        const back = toFloat16Bits(value);
        expect((back & 0x7c00) === 0x7c00 && (back & 0x3ff) !== 0).toBe(true);
      } else if (toFloat16Bits(value) !== bits) {
        throw new Error(`bits 0x${bits.toString(16)} (${value}) came back as 0x${toFloat16Bits(value).toString(16)}`);
      }
    }
  });

  it("rounds float32 values to the nearest float16, ties to even, like a brute-force search", () => {
    const samples: number[] = [
      1 + 2 ** -11, // exactly halfway between 1 and the next float16: ties to even (1)
      1 + 3 * 2 ** -11, // halfway, rounds up to the even neighbour
      2 ** -25, // halfway between 0 and the smallest subnormal: rounds to 0
      1.5 * 2 ** -25, // rounds up to the smallest subnormal
      2 ** -14 - 2 ** -25, // the largest subnormal region, rounding up into the normal range
      65504 + 15, // just under the overflow threshold
      65504 + 16, // overflows to infinity
      1e-10,
      -0.1,
      Math.PI,
    ];
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let i = 0; i < 20000; i++) {
      const magnitude = 2 ** (random() * 44 - 28);
      samples.push(Math.fround((random() < 0.5 ? -1 : 1) * magnitude));
    }
    for (const x of samples) {
      const f = Math.fround(x);
      const got = toFloat16Bits(f);
      const want = referenceBits(f);
      if (got !== want) throw new Error(`${f}: got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
    }
  });

  it("converts whole arrays both ways", () => {
    const input = new Float32Array([0, 1, -2, 0.5, 1000, Infinity]);
    const half = float32ToFloat16(input);
    expect(Array.from(half)).toEqual([0x0000, 0x3c00, 0xc000, 0x3800, 0x63d0, 0x7c00]);
    expect(Array.from(float16ToFloat32(half))).toEqual([0, 1, -2, 0.5, 1000, Infinity]);
  });
});
