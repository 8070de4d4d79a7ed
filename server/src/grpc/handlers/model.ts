// The model RPCs: GetModelInfo, EmbedTexts and ScoreCaptions (EmbedImages, a stream, lives in embed-images.ts).
import type {
  EmbedTextsRequest,
  EmbedTextsResponse,
  ImageInput,
  Llm2ClipServer,
  ModelInfo,
  ScoreCaptionsRequest,
  ScoreCaptionsResponse,
} from "@llm2clip/proto";
import { invalidArgument } from "../../errors";
import { scoreEncodings } from "../../scoring";
import { resolveImage } from "../../search/image-input";
import type { CollectionRegistry } from "../../store/collections";
import { unaryHandler } from "../call";
import type { ServiceDeps } from "../deps";
import type { GlobalByteBudget } from "../stream-budget";
import { requireTexts } from "../validation";
import { createEmbedImagesHandler } from "./embed-images";
import { encodeImage, encodeTexts, toEmbedding } from "./encode";

type ModelHandlers = Pick<Llm2ClipServer, "getModelInfo" | "embedImages" | "embedTexts" | "scoreCaptions">;

/** `collections` resolves images given by reference to an indexed asset. */
export function createModelHandlers(deps: ServiceDeps, collections: CollectionRegistry, buffers: GlobalByteBudget): ModelHandlers {
  const { model, limits, log } = deps;

  const getModelInfo = async (): Promise<ModelInfo> => {
    const { info } = model;
    return {
      name: info.name,
      embedDim: info.embedDim,
      featureDim: info.featureDim,
      imageSize: info.imageSize,
      maxTokens: info.maxTokens,
      device: info.device,
      precision: info.precision,
      logitScale: info.logitScale,
      limits: {
        maxMessageBytes: limits.maxMessageBytes,
        maxImagePixels: limits.maxImagePixels,
        maxCaptions: limits.maxCaptions,
        maxTexts: limits.maxTexts,
        maxTopK: limits.maxTopK,
      },
      altTextThresholds: { ...info.altTextThresholds },
    };
  };

  const embedTexts = async (request: EmbedTextsRequest, signal: AbortSignal): Promise<EmbedTextsResponse> => {
    const texts = requireTexts("texts", request.texts, limits.maxTexts, "--max-texts");
    const encodings = await encodeTexts(model, "texts", texts, signal);
    return {
      results: encodings.map((encoding) => ({
        embedding: toEmbedding(encoding.embedding),
        features: request.includeFeatures ? toEmbedding(encoding.features) : undefined,
        truncated: encoding.truncated,
        tokenCount: encoding.tokenCount,
        cached: encoding.cached,
      })),
    };
  };

  const scoreCaptions = async (request: ScoreCaptionsRequest, signal: AbortSignal): Promise<ScoreCaptionsResponse> => {
    const captions = requireTexts("captions", request.captions, limits.maxCaptions, "--max-captions");
    const imageEmbedding =
      request.image?.asset !== undefined
        ? resolveImage(request.image, "image", model, collections, undefined, signal)
        : encodeImage(model, "image.data", requireImageBytes("image", request.image), signal);
    const [image, encodings] = await Promise.all([imageEmbedding, encodeTexts(model, "captions", captions, signal)]);
    const scores = scoreEncodings(image.embedding, captions, encodings, model.info.logitScale);
    return { scores, logitScale: model.info.logitScale };
  };

  return {
    getModelInfo: unaryHandler("GetModelInfo", log, getModelInfo),
    embedImages: createEmbedImagesHandler(deps, buffers),
    embedTexts: unaryHandler("EmbedTexts", log, embedTexts),
    scoreCaptions: unaryHandler("ScoreCaptions", log, scoreCaptions),
  };
}

/** The encoded bytes of an ImageInput that carries no asset reference. */
function requireImageBytes(field: string, image: ImageInput | undefined): Uint8Array {
  if (image?.data === undefined) throw invalidArgument(field, `is required: set ${field}.data to the encoded image, or ${field}.asset to an indexed one`);
  if (image.data.length === 0) throw invalidArgument(`${field}.data`, "is empty (0 bytes)");
  return image.data;
}
