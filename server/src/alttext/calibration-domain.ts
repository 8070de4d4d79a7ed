// Whether an image lies inside what the model was calibrated on. The manifest's domain folder holds in-domain images
// the model was not trained on. Every other one (in name order) fits a Gaussian to their embeddings; the rest are held
// out. An image's distance from the domain is its Mahalanobis distance under that Gaussian, the usual out-of-
// distribution score on a network's features (Lee et al., NeurIPS 2018). The threshold is the distance that
// HELD_OUT_RECALL of the held-out images stay within. Nearest-neighbour cosine does not separate: the tiny model puts
// real screenshots as close to its scenes as the scenes are to each other, while their Mahalanobis distances are
// larger. A verdict on an image beyond the threshold is the model guessing outside what it knows.
//
// A vision tower trained to be robust to rendering style (models/tiny/styles.py) also embeds UI screenshots among its
// scenes, where no distance from the scenes can find them. Such a model is trained with images outside its domain
// captioned as what they are (models/tiny/outside.py), and its manifest names those captions: an image that matches one
// of them better than every domain image does is outside too.
import { readFile } from "node:fs/promises";
import type { ImageDomain } from "@llm2clip/proto";
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Llm2ClipModel } from "../model/types";
import { dotAt } from "../store/vector-index";
import { embedTexts } from "./text-embeddings";

/** The share of held-out in-domain images that must count as inside the domain. */
export const HELD_OUT_RECALL = 0.95;

export interface DomainImages {
  imagePaths: readonly string[];
  /** Captions of what lies outside the domain (manifest domain.outside_captions); may be empty. */
  outsideCaptions: readonly string[];
}

export class CalibrationDomain {
  private constructor(
    private readonly mean: Matrix,
    private readonly covariance: CholeskyDecomposition,
    readonly threshold: number,
    private readonly outside: { captions: Float32Array[]; threshold: number },
  ) {}

  static async load(model: Llm2ClipModel, { imagePaths, outsideCaptions }: DomainImages): Promise<CalibrationDomain> {
    const images: Float32Array[] = [];
    for (const file of imagePaths) images.push((await model.embedImage(await readFile(file))).embedding);
    const embeddings = images.map((image) => Array.from(image));
    const fit = new Matrix(embeddings.filter((_, i) => i % 2 === 0));
    const mean = Matrix.rowVector(fit.mean("column"));
    const captions = await embedTexts(model, outsideCaptions);
    const outside = { captions, threshold: Math.max(...images.map((image) => bestCosine(image, captions))) };
    const domain = new CalibrationDomain(mean, new CholeskyDecomposition(shrunkCovariance(fit.clone().subRowVector(mean.getRow(0)))), 0, outside);
    const distances = embeddings
      .filter((_, i) => i % 2 === 1)
      .map((row) => domain.distance(row))
      .sort((a, b) => a - b);
    const threshold = distances[Math.min(distances.length - 1, Math.ceil(HELD_OUT_RECALL * distances.length) - 1)]!;
    return new CalibrationDomain(mean, domain.covariance, threshold, outside);
  }

  judge(embedding: Float32Array): ImageDomain {
    const distance = this.distance(Array.from(embedding));
    const looksOutside = this.outside.captions.length > 0 && bestCosine(embedding, this.outside.captions) > this.outside.threshold;
    return { distance, threshold: this.threshold, inDomain: distance <= this.threshold && !looksOutside };
  }

  private distance(row: number[]): number {
    const centered = Matrix.columnVector(row).subColumnVector(this.mean.getRow(0));
    const solved = this.covariance.solve(centered);
    return Math.sqrt(Math.max(0, centered.transpose().mmul(solved).get(0, 0)));
  }
}

function bestCosine(image: Float32Array, captions: readonly Float32Array[]): number {
  return Math.max(...captions.map((caption) => dotAt(caption, 0, image)));
}

/**
 * The sample covariance of the centred rows, shrunk towards a scaled identity by Ledoit and Wolf's intensity (J.
 * Multivariate Anal., 2004): with fewer images than dimensions the sample covariance is singular.
 */
function shrunkCovariance(centered: Matrix): Matrix {
  const n = centered.rows;
  const p = centered.columns;
  const sample = centered.transpose().mmul(centered).div(n);
  const scale = sample.trace() / p;
  const target = Matrix.eye(p, p).mul(scale);
  const d2 = sample.clone().sub(target).norm("frobenius") ** 2 / p;
  const sampleNorm2 = sample.norm("frobenius") ** 2;
  let b2 = 0;
  for (let k = 0; k < n; k++) {
    const x = centered.getRowVector(k);
    const squaredNorm = x.mmul(x.transpose()).get(0, 0);
    const quadratic = x.mmul(sample).mmul(x.transpose()).get(0, 0);
    b2 += (squaredNorm ** 2 - 2 * quadratic + sampleNorm2) / p;
  }
  b2 = Math.min(b2 / n ** 2, d2);
  const shrinkage = d2 === 0 ? 1 : b2 / d2;
  return target.mul(shrinkage).add(sample.mul(1 - shrinkage));
}
