// Small encoded test images, made with sharp (the daemon's own decoder) so that no binary fixtures are needed.
import sharp from "sharp";

/** A flat image of `colour`, encoded as `format`. */
export function flatImage(colour: string, width = 48, height = 40, format: "png" | "jpeg" | "webp" | "tiff" = "png"): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
}

/** A shape of the project's scene domain: a filled circle of `colour` on white, as an SVG document. */
export function circleSvg(colour: string, size = 64): Buffer {
  const r = size / 4;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">` +
      `<rect width="100%" height="100%" fill="white"/><circle cx="${size / 2}" cy="${size / 2}" r="${r}" fill="${colour}"/></svg>`,
  );
}

/** A smooth, noisy photo-like picture as a JPEG, so that decoding and resizing have real work. */
export async function photoJpeg(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0, y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      data[i] = 127 + 127 * Math.sin(x / 37 + y / 53);
      data[i + 1] = (x * 255) / width;
      data[i + 2] = (y * 7 + x * 3) & 255;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * A small SVG whose nested <use> references multiply into fan^levels blurred shapes: cheap to send (5 levels of 10:
 * 3.1 KB), minutes of librsvg to render.
 */
export function svgUseBomb(levels = 5, fan = 10): Buffer {
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="512" height="512"><defs>`;
  svg += `<filter id="blur"><feGaussianBlur stdDeviation="3"/></filter>`;
  svg += `<g id="l0"><circle cx="10" cy="10" r="8" fill="red" opacity="0.5" filter="url(#blur)"/></g>`;
  for (let level = 1; level <= levels; level++) {
    svg += `<g id="l${level}">`;
    for (let i = 0; i < fan; i++) svg += `<use xlink:href="#l${level - 1}" x="${i}" y="${i % 3}"/>`;
    svg += "</g>";
  }
  return Buffer.from(`${svg}</defs><use xlink:href="#l${levels}"/></svg>`);
}

const WORDS = ["Settings", "Search", "Explorer", "Deploy", "Users", "Roles", "Billing", "Logs", "Open file", "Save", "Terminal", "Extensions", "Branch main", "Build passed", "Run", "Cancel", "Admin", "Welcome", "Preview", "Tokens"];

/**
 * A documentation screenshot as real ones look: an application window with a title bar, a sidebar of menu items, a
 * toolbar of buttons, lines of text and a code block, light or dark. Deterministic for a given `seed`; an SVG that sharp
 * renders with the system fonts.
 */
export function screenshotSvg(seed: number, width = 1280, height = 800): Buffer {
  let state = seed * 2654435761 + 1;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) % 100_000) / 100_000;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const dark = random() < 0.4;
  const [bg, panel, ink, accent] = dark ? ["#1e1e1e", "#252526", "#d4d4d4", pick(["#0e639c", "#3794ff", "#c586c0"])] : ["#ffffff", "#f3f3f3", "#333333", pick(["#0366d6", "#2da44e", "#8250df"])];
  const sidebar = Math.round(width * (0.16 + random() * 0.08));
  const parts = [`<rect width="100%" height="100%" fill="${bg}"/>`, `<rect width="100%" height="32" fill="${panel}"/>`];
  parts.push(`<text x="12" y="21" font-family="DejaVu Sans" font-size="13" fill="${ink}">${pick(WORDS)} — ${pick(WORDS)}</text>`);
  parts.push(`<rect y="32" width="${sidebar}" height="${height - 32}" fill="${panel}"/>`);
  for (let i = 0, y = 64; y < height - 20 && i < 14; i++, y += 26) {
    parts.push(`<text x="16" y="${y}" font-family="DejaVu Sans" font-size="13" fill="${i === 2 ? accent : ink}">${pick(WORDS)}</text>`);
  }
  for (let i = 0, x = sidebar + 20; i < 4; i++, x += 110) {
    parts.push(`<rect x="${x}" y="48" width="96" height="28" rx="4" fill="${i === 0 ? accent : panel}"/>`);
    parts.push(`<text x="${x + 10}" y="67" font-family="DejaVu Sans" font-size="12" fill="${i === 0 ? "#ffffff" : ink}">${pick(WORDS)}</text>`);
  }
  let y = 110;
  for (let i = 0; i < 6 + Math.floor(random() * 6); i++, y += 22) {
    const words = Array.from({ length: 4 + Math.floor(random() * 6) }, () => pick(WORDS).toLowerCase()).join(" ");
    parts.push(`<text x="${sidebar + 20}" y="${y}" font-family="DejaVu Sans" font-size="14" fill="${ink}">${words}</text>`);
  }
  const codeHeight = Math.min(200, height - y - 40);
  if (codeHeight > 40) {
    parts.push(`<rect x="${sidebar + 20}" y="${y + 10}" width="${width - sidebar - 40}" height="${codeHeight}" fill="${dark ? "#111111" : "#f6f8fa"}"/>`);
    for (let line = 0, ly = y + 34; ly < y + codeHeight; line++, ly += 20) {
      parts.push(`<text x="${sidebar + 32}" y="${ly}" font-family="DejaVu Sans Mono" font-size="13" fill="${line % 3 === 0 ? accent : ink}">const ${pick(WORDS).toLowerCase().replace(/ /g, "")} = await run(${line});</text>`);
    }
  }
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`);
}

export interface TextLineSpec {
  text: string;
  /** Baseline, in pixels from the top. */
  y: number;
  font: string;
  size: number;
}

/** Lines of dark text on white, rendered by librsvg with the system's fonts, as a PNG: a stand-in for a screenshot. */
export function textImage(width: number, height: number, lines: readonly TextLineSpec[]): Promise<Buffer> {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body = lines.map((l) => `<text x="20" y="${l.y}" font-family="${l.font}" font-size="${l.size}" fill="#1f1f1f">${escape(l.text)}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface AppWindowText {
  title: string;
  heading: string;
  body: readonly string[];
  buttons: readonly string[];
}

/**
 * A screenshot of an application's dialog whose text the test knows: a title bar, a heading, lines of body text and a
 * row of buttons, rendered by librsvg as a PNG.
 */
export function appWindowScreenshot(text: AppWindowText, width = 900): Promise<Buffer> {
  const escape = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const label = (x: number, y: number, size: number, fill: string, t: string) =>
    `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}" fill="${fill}">${escape(t)}</text>`;
  const parts = [`<rect width="100%" height="100%" fill="#ffffff"/>`, `<rect width="100%" height="34" fill="#e8e8e8"/>`, label(14, 23, 13, "#333333", text.title)];
  parts.push(label(32, 86, 28, "#1f1f1f", text.heading));
  let y = 130;
  for (const line of text.body) {
    parts.push(label(32, y, 14, "#444444", line));
    y += 24;
  }
  y += 20;
  text.buttons.forEach((button, i) => {
    const x = 32 + i * 190;
    parts.push(`<rect x="${x}" y="${y}" width="170" height="40" rx="5" fill="${i === 0 ? "#0e639c" : "#dddddd"}"/>`);
    parts.push(label(x + 16, y + 26, 18, i === 0 ? "#ffffff" : "#1f1f1f", button));
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 70}">${parts.join("")}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
