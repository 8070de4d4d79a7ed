// The rendered half of the OCR test set: texts.json's lines, two an image, cycling through fonts, sizes and themes.
import sharp from "sharp";

interface Style {
  font: string;
  size: number;
  foreground: string;
  background: string;
}
const THEMES = [
  { foreground: "#1f1f1f", background: "#ffffff" },
  { foreground: "#cccccc", background: "#1e1e1e" },
  { foreground: "#24292f", background: "#f0f3f6" },
];
export const FONTS = {
  en: ["DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Mono", "Noto Sans CJK SC"],
  zh: ["Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "Noto Sans Mono CJK SC"],
};
export const SIZES = [13, 15, 18, 24];

export function style(language: "en" | "zh", i: number): Style {
  const fonts = FONTS[language];
  return { font: fonts[i % fonts.length], size: SIZES[Math.floor(i / fonts.length) % SIZES.length], ...THEMES[i % THEMES.length] };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

async function render(lines: string[], s: Style): Promise<Buffer> {
  const lineHeight = Math.round(s.size * 1.8);
  const width = Math.ceil(Math.max(...lines.map((l) => l.length)) * s.size * (/\p{Script=Han}/u.test(lines.join("")) ? 1.05 : 0.65)) + 60;
  const height = lineHeight * lines.length + 40;
  const text = lines.map((l, k) => `<text x="24" y="${24 + lineHeight * k + s.size}" font-family="${s.font}" font-size="${s.size}" fill="${s.foreground}">${escapeXml(l)}</text>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${s.background}"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export interface RenderedSample {
  name: string;
  language: "en" | "zh";
  lines: string[];
  bytes: Buffer;
}

export async function renderedSet(texts: { en: string[]; zh: string[] }): Promise<RenderedSample[]> {
  const samples: RenderedSample[] = [];
  for (const language of ["en", "zh"] as const) {
    for (let i = 0; i + 1 < texts[language].length; i += 2) {
      const lines = texts[language].slice(i, i + 2);
      samples.push({ name: `${language}-${i / 2}`, language, lines, bytes: await render(lines, style(language, i / 2)) });
    }
  }
  return samples;
}
