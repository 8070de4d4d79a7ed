// EmbedImages: a bidi stream of image chunks in, embeddings out in the order the images were completed.
// A failed image answers with `error` set and the stream goes on.
import { once } from "node:events";
import { status, type handleBidiStreamingCall, type ServerDuplexStream } from "@grpc/grpc-js";
import type { EmbedImagesRequest, EmbedImagesResponse } from "@llm2clip/proto";
import { cancellationSignal } from "../call";
import type { ServiceDeps } from "../deps";
import { statusCodeOf } from "../errors";
import { ImageAssembler, type AssembledImage } from "../image-assembler";
import { encodeImage, toEmbedding } from "./encode";

/** Images of one stream being embedded at once; reading pauses beyond this, so a fast client cannot queue unbounded work. */
const MAX_IMAGES_IN_FLIGHT = 16;

type Call = ServerDuplexStream<EmbedImagesRequest, EmbedImagesResponse>;

export function createEmbedImagesHandler({ model, limits, log }: ServiceDeps): handleBidiStreamingCall<EmbedImagesRequest, EmbedImagesResponse> {
  return (call: Call) => {
    const signal = cancellationSignal(call);
    const assembler = new ImageAssembler(limits.maxStreamBufferBytes);
    let inFlight = 0;
    let written: Promise<void> = Promise.resolve();
    let answered = 0;
    let ended = false;

    const embed = async (image: AssembledImage): Promise<EmbedImagesResponse> => {
      if ("error" in image) return failure(image.id, image.error);
      try {
        const { embedding, width, height } = await encodeImage(model, "chunk", image.bytes, signal);
        return { id: image.id, embedding: toEmbedding(embedding), width, height };
      } catch (error) {
        if (statusCodeOf(error) === status.INTERNAL) log.error(`EmbedImages: image '${image.id}': ${(error as Error).stack ?? String(error)}`);
        return failure(image.id, error);
      } finally {
        assembler.release(image.bytes.length);
      }
    };

    // Results are written in completion order: each waits for the one before it.
    const complete = (image: AssembledImage) => {
      const response = embed(image);
      if (++inFlight >= MAX_IMAGES_IN_FLIGHT) call.pause();
      written = written.then(async () => {
        const result = await response;
        if (--inFlight < MAX_IMAGES_IN_FLIGHT) call.resume();
        if (signal.aborted) return;
        answered++;
        if (!call.write(result)) await once(call, "drain", { signal }).catch(() => undefined);
      });
    };

    call.on("data", (request: EmbedImagesRequest) => {
      if (signal.aborted) return;
      const image = assembler.add(request);
      if (image !== undefined) complete(image);
    });
    call.on("end", () => {
      for (const image of assembler.closeUnfinished()) complete(image);
      void written.then(() => {
        if (signal.aborted) return;
        ended = true;
        call.end();
      });
    });
    signal.addEventListener("abort", () => {
      if (!ended) log.info(`EmbedImages: stopped, the call was cancelled or its deadline passed; ${answered} images were answered`);
    });
  };
}

function failure(id: string, error: unknown): EmbedImagesResponse {
  const message = error instanceof Error ? error.message : String(error);
  return { id, error: { code: statusCodeOf(error), message }, width: 0, height: 0 };
}
