// Reads and validates a model folder's manifest.json (the contract in models/MANIFEST.md). Every problem is a
// failed_precondition Llm2ClipError whose message names the manifest, the field and what is wrong, e.g.
// `/models/x/manifest.json: graphs.vision.file: vision.onnx does not exist`.
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Llm2ClipError } from "../errors";

export const MANIFEST_FORMAT = "llm2clip-model/1";
export const FLOAT_TYPES = ["float32", "float16"] as const;
export type FloatType = (typeof FLOAT_TYPES)[number];
/** How captions become the llm graph's input (models/MANIFEST.md): llm2vec's own rules, or the tiny model's training rules. */
export const CAPTION_HANDLINGS = ["llm2vec", "whole_words"] as const;
export type CaptionHandling = (typeof CAPTION_HANDLINGS)[number];
export const GRAPH_NAMES = ["vision", "llm", "adapter"] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

export interface ModelFile {
  /** As written in the manifest, relative to the folder. */
  file: string;
  /** Absolute path. */
  path: string;
}

export interface GraphSpec extends ModelFile {
  dtype: FloatType;
  /** Other-precision files of the same graph, by their floating I/O type. */
  variants: Partial<Record<FloatType, ModelFile>>;
}

/** What happens to an alpha channel: dropped, as CLIPImageProcessor's convert_to_rgb does, or composited onto `background`. */
export const ALPHA_POLICIES = ["drop", "composite"] as const;
export type AlphaPolicy = (typeof ALPHA_POLICIES)[number];
/** How the long side's length is rounded after the resize: truncated, as Hugging Face does, or Python's round(). */
export const RESIZE_ROUNDINGS = ["floor", "half_even"] as const;
export type ResizeRounding = (typeof RESIZE_ROUNDINGS)[number];

export interface ImageSpec {
  size: number;
  resize: "bicubic_shortest_side";
  resizeRounding: ResizeRounding;
  crop: "center";
  mean: [number, number, number];
  std: [number, number, number];
  alpha: AlphaPolicy;
  /** `#rrggbb`: with alpha "composite" transparent pixels are composited onto it; an SVG is always drawn on it. */
  background: string;
}

export interface TextSpec {
  tokenizer: ModelFile;
  promptPrefix: string;
  promptSuffix: string;
  bosToken: string;
  padToken: string;
  paddingSide: "left";
  maxLength: number;
  captionHandling: CaptionHandling;
}

export interface Manifest {
  /** Absolute path of manifest.json; error messages start with it. */
  path: string;
  dir: string;
  name: string;
  embedDim: number;
  featureDim: number;
  logitScale: number;
  graphs: Record<GraphName, GraphSpec>;
  image: ImageSpec;
  text: TextSpec;
  altText: { thresholds: { good: number; mismatch: number }; captionBank?: ModelFile };
  selfCheck?: { image: ModelFile; captions: string[] };
  /** What the model was calibrated on: in words, and a folder of images from that domain the model was not trained on. */
  domain?: { description: string; images: ModelFile[]; outsideCaptions: string[] };
  /** The `text` section as written, with its defaults filled in: part of the text-feature fingerprint. */
  rawText: unknown;
}

/** Used when a manifest has no `alt_text` section: the values models/MANIFEST.md documents. */
export const DEFAULT_ALT_TEXT_THRESHOLDS = { good: 0.3, mismatch: 0.2 };

export function manifestError(manifestPath: string, field: string, problem: string): Llm2ClipError {
  return new Llm2ClipError("failed_precondition", `${manifestPath}: ${field}: ${problem}`, field);
}

type Json = Record<string, unknown>;

/** Typed accessors over the parsed JSON that fail with the field's dotted path. */
class FieldReader {
  constructor(readonly manifestPath: string) {}

  fail(field: string, problem: string): never {
    throw manifestError(this.manifestPath, field, problem);
  }

  object(value: unknown, field: string): Json {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(field, value === undefined ? "is missing" : "must be an object");
    }
    return value as Json;
  }

  string(obj: Json, key: string, field: string): string {
    const value = obj[key];
    if (typeof value !== "string") this.fail(field, value === undefined ? "is missing" : "must be a string");
    return value;
  }

  number(obj: Json, key: string, field: string): number {
    const value = obj[key];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.fail(field, value === undefined ? "is missing" : "must be a finite number");
    }
    return value;
  }

  positiveInteger(obj: Json, key: string, field: string): number {
    const value = this.number(obj, key, field);
    if (!Number.isInteger(value) || value <= 0) this.fail(field, `must be a positive integer, got ${value}`);
    return value;
  }

  oneOf<T extends string>(obj: Json, key: string, field: string, allowed: readonly T[]): T {
    const value = this.string(obj, key, field);
    if (!allowed.includes(value as T)) this.fail(field, `${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
    return value as T;
  }

  triple(obj: Json, key: string, field: string, positive: boolean): [number, number, number] {
    const value = obj[key];
    const ok =
      Array.isArray(value) &&
      value.length === 3 &&
      value.every((v) => typeof v === "number" && Number.isFinite(v) && (!positive || v > 0));
    if (!ok) this.fail(field, `must be 3 ${positive ? "positive " : ""}numbers (R, G, B)`);
    return value as [number, number, number];
  }
}

async function existingFile(reader: FieldReader, dir: string, file: string, field: string): Promise<ModelFile> {
  const full = path.resolve(dir, file);
  const info = await stat(full).catch(() => undefined);
  if (!info) reader.fail(field, `${file} does not exist`);
  if (!info.isFile()) reader.fail(field, `${file} is not a file`);
  return { file, path: full };
}

async function readGraph(reader: FieldReader, dir: string, graphs: Json, name: GraphName): Promise<GraphSpec> {
  const field = `graphs.${name}`;
  const spec = reader.object(graphs[name], field);
  const file = await existingFile(reader, dir, reader.string(spec, "file", `${field}.file`), `${field}.file`);
  const dtype = reader.oneOf(spec, "dtype", `${field}.dtype`, FLOAT_TYPES);
  const variants: Partial<Record<FloatType, ModelFile>> = {};
  if (spec.variants !== undefined) {
    const declared = reader.object(spec.variants, `${field}.variants`);
    for (const key of Object.keys(declared)) {
      const variantField = `${field}.variants.${key}`;
      if (!FLOAT_TYPES.includes(key as FloatType)) {
        reader.fail(variantField, `${JSON.stringify(key)} is not one of ${FLOAT_TYPES.join(", ")}`);
      }
      variants[key as FloatType] = await existingFile(reader, dir, reader.string(declared, key, variantField), variantField);
    }
  }
  return { ...file, dtype, variants };
}

function readImage(reader: FieldReader, root: Json): ImageSpec {
  const image = reader.object(root.image, "image");
  const background = reader.string(image, "background", "image.background");
  if (!/^#[0-9a-fA-F]{6}$/.test(background)) reader.fail("image.background", `${JSON.stringify(background)} is not a #rrggbb colour`);
  return {
    size: reader.positiveInteger(image, "size", "image.size"),
    resize: reader.oneOf(image, "resize", "image.resize", ["bicubic_shortest_side"] as const),
    resizeRounding: optionalOneOf(reader, image, "resize_rounding", "image.resize_rounding", RESIZE_ROUNDINGS),
    crop: reader.oneOf(image, "crop", "image.crop", ["center"] as const),
    mean: reader.triple(image, "mean", "image.mean", false),
    std: reader.triple(image, "std", "image.std", true),
    alpha: optionalOneOf(reader, image, "alpha", "image.alpha", ALPHA_POLICIES),
    background,
  };
}

/** An optional choice whose first allowed value, the released checkpoints' behaviour, is the default. */
function optionalOneOf<T extends string>(reader: FieldReader, obj: Json, key: string, field: string, allowed: readonly T[]): T {
  return obj[key] === undefined ? allowed[0] : reader.oneOf(obj, key, field, allowed);
}

async function readText(reader: FieldReader, dir: string, root: Json): Promise<TextSpec> {
  const text = reader.object(root.text, "text");
  const tokenizerFile = reader.string(text, "tokenizer", "text.tokenizer");
  return {
    tokenizer: await existingFile(reader, dir, tokenizerFile, "text.tokenizer"),
    promptPrefix: reader.string(text, "prompt_prefix", "text.prompt_prefix"),
    promptSuffix: reader.string(text, "prompt_suffix", "text.prompt_suffix"),
    bosToken: reader.string(text, "bos_token", "text.bos_token"),
    padToken: reader.string(text, "pad_token", "text.pad_token"),
    // LLM2Vec's mean pooling takes the last positions of each row, so it is only defined for left padding.
    paddingSide: reader.oneOf(text, "padding_side", "text.padding_side", ["left"] as const),
    maxLength: reader.positiveInteger(text, "max_length", "text.max_length"),
    captionHandling: optionalOneOf(reader, text, "caption_handling", "text.caption_handling", CAPTION_HANDLINGS),
  };
}

async function readAltText(reader: FieldReader, dir: string, root: Json): Promise<Manifest["altText"]> {
  if (root.alt_text === undefined) return { thresholds: DEFAULT_ALT_TEXT_THRESHOLDS };
  const alt = reader.object(root.alt_text, "alt_text");
  const thresholds = reader.object(alt.thresholds, "alt_text.thresholds");
  const captionBank =
    alt.caption_bank === undefined
      ? undefined
      : await existingFile(reader, dir, reader.string(alt, "caption_bank", "alt_text.caption_bank"), "alt_text.caption_bank");
  return {
    thresholds: {
      good: reader.number(thresholds, "good", "alt_text.thresholds.good"),
      mismatch: reader.number(thresholds, "mismatch", "alt_text.thresholds.mismatch"),
    },
    captionBank,
  };
}

async function readSelfCheck(reader: FieldReader, dir: string, root: Json): Promise<Manifest["selfCheck"]> {
  if (root.self_check === undefined) return undefined;
  const check = reader.object(root.self_check, "self_check");
  const captions = check.captions;
  if (!isCaptionList(captions)) reader.fail("self_check.captions", "must be a non-empty list of non-empty strings");
  return {
    image: await existingFile(reader, dir, reader.string(check, "image", "self_check.image"), "self_check.image"),
    captions: captions as string[],
  };
}

/** Images a domain folder needs: half serve as the domain's prototypes, half as held-out data for its threshold. */
export const MIN_DOMAIN_IMAGES = 8;
const DOMAIN_IMAGE = /\.(png|jpe?g|webp|gif)$/i;

async function readDomain(reader: FieldReader, dir: string, root: Json): Promise<Manifest["domain"]> {
  if (root.domain === undefined) return undefined;
  const domain = reader.object(root.domain, "domain");
  const description = reader.string(domain, "description", "domain.description");
  const folder = reader.string(domain, "images", "domain.images");
  const entries = await readdir(path.resolve(dir, folder)).catch(() => reader.fail("domain.images", `${folder} is not a folder`));
  const images = entries
    .filter((name) => DOMAIN_IMAGE.test(name))
    .sort()
    .map((name) => ({ file: path.posix.join(folder, name), path: path.resolve(dir, folder, name) }));
  if (images.length < MIN_DOMAIN_IMAGES) reader.fail("domain.images", `${folder} holds ${images.length} images, at least ${MIN_DOMAIN_IMAGES} are needed`);
  const outside = domain.outside_captions ?? [];
  if (domain.outside_captions !== undefined && !isCaptionList(outside)) {
    reader.fail("domain.outside_captions", "must be a non-empty list of non-empty strings");
  }
  return { description, images, outsideCaptions: outside as string[] };
}

function isCaptionList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((c) => typeof c === "string" && c.trim() !== "");
}

/** Reads `<dir>/manifest.json` and checks it and the files it names. */
export async function readManifest(dir: string): Promise<Manifest> {
  const root = path.resolve(dir);
  const manifestPath = path.join(root, "manifest.json");
  const source = await readFile(manifestPath, "utf8").catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "ENOENT" ? "does not exist" : err.code === "ENOTDIR" ? "is not inside a folder" : err.message;
    throw new Llm2ClipError("failed_precondition", `${manifestPath} ${why}: ${root} is not a model folder`, "manifest.json");
  });
  const reader = new FieldReader(manifestPath);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (err) {
    reader.fail("(root)", `not valid JSON: ${(err as Error).message}`);
  }
  const json = reader.object(parsed, "(root)");
  const format = reader.string(json, "format", "format");
  if (format !== MANIFEST_FORMAT) reader.fail("format", `${JSON.stringify(format)} is not ${JSON.stringify(MANIFEST_FORMAT)}`);
  const graphs = reader.object(json.graphs, "graphs");
  const logitScale = reader.number(json, "logit_scale", "logit_scale");
  if (logitScale <= 0) reader.fail("logit_scale", `must be positive, got ${logitScale}`);

  const text = await readText(reader, root, json);
  return {
    path: manifestPath,
    dir: root,
    name: reader.string(json, "name", "name"),
    embedDim: reader.positiveInteger(json, "embed_dim", "embed_dim"),
    featureDim: reader.positiveInteger(json, "feature_dim", "feature_dim"),
    logitScale,
    graphs: {
      vision: await readGraph(reader, root, graphs, "vision"),
      llm: await readGraph(reader, root, graphs, "llm"),
      adapter: await readGraph(reader, root, graphs, "adapter"),
    },
    image: readImage(reader, json),
    text,
    altText: await readAltText(reader, root, json),
    selfCheck: await readSelfCheck(reader, root, json),
    domain: await readDomain(reader, root, json),
    rawText: { ...(json.text as Json), caption_handling: text.captionHandling },
  };
}
