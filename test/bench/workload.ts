// Deterministic inputs from the tiny model's scene domain (ARCHITECTURE.md): PNGs of varied sizes and unique captions.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";

const SHAPES = ["circle", "square", "triangle", "star", "heart", "hexagon", "diamond", "cross"];
const COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "gray", "cyan"];
const SIZES = ["small", "large"];
const POSITIONS = ["left", "right", "top", "bottom", "center", "top-left", "top-right", "bottom-left", "bottom-right"];

/** Park-Miller: reproducible without a dependency. */
function random(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 16807) % 2147483647) / 2147483647;
}

/** The i-th caption of a fixed enumeration of the domain: distinct for i < 20736. */
export function caption(i: number): string {
  const pick = <T>(list: readonly T[], n: number) => list[n % list.length]!;
  let n = i;
  const size = pick(SIZES, n);
  n = Math.floor(n / SIZES.length);
  const colour = pick(COLOURS, n);
  n = Math.floor(n / COLOURS.length);
  const shape = pick(SHAPES, n);
  n = Math.floor(n / SHAPES.length);
  const position = pick(POSITIONS, n);
  n = Math.floor(n / POSITIONS.length);
  const background = pick(COLOURS, n + 1);
  return `a ${size} ${colour} ${shape} at the ${position} on a ${background} background`;
}

/** Writes `count` PNGs (96..320 px a side, 1-3 shapes) into `dir`; returns their paths and bytes. */
export async function renderImages(dir: string, count: number): Promise<{ path: string; bytes: Buffer }[]> {
  mkdirSync(dir, { recursive: true });
  const rand = random(7);
  const out: { path: string; bytes: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const width = 96 + Math.floor(rand() * 225);
    const height = 96 + Math.floor(rand() * 225);
    const shapes = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
      const r = 8 + rand() * Math.min(width, height) * 0.2;
      return `<circle cx="${(r + rand() * (width - 2 * r)).toFixed(1)}" cy="${(r + rand() * (height - 2 * r)).toFixed(1)}" r="${r.toFixed(1)}" fill="${COLOURS[Math.floor(rand() * COLOURS.length)]}"/>`;
    });
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${COLOURS[i % COLOURS.length]}"/>${shapes.join("")}</svg>`;
    const bytes = await sharp(Buffer.from(svg)).png().toBuffer();
    const file = path.join(dir, `img-${String(i).padStart(4, "0")}.png`);
    writeFileSync(file, bytes);
    out.push({ path: file, bytes });
  }
  return out;
}
