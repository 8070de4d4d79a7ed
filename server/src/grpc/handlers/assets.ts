// The asset RPCs: SyncAssets, SearchAssets, SuggestAltText, ListCollections and DeleteCollection. Each validates and
// translates; the work is done by the store, search and alttext cores.
import type { handleBidiStreamingCall, UntypedServiceImplementation } from "@grpc/grpc-js";
import type {
  DeleteCollectionRequest,
  DeleteCollectionResponse,
  GetAssetTextRequest,
  GetAssetTextResponse,
  ListCollectionsRequest,
  ListCollectionsResponse,
  SearchAssetsRequest,
  SearchAssetsResponse,
  SuggestAltTextRequest,
  SuggestAltTextResponse,
  SyncAssetsRequest,
  SyncAssetsResponse,
} from "@llm2clip/proto";
import { AltTextAdvisor } from "../../alttext/suggest";
import { searchAssets } from "../../search/search-assets";
import { CollectionRegistry } from "../../store/collections";
import { SyncSession } from "../sync-session";
import { assetText } from "../../search/asset-text";
import { ImageTexts } from "../../ocr/image-texts";
import { ocrSelection } from "../deps";
import type { TextIndexer } from "../../ocr/text-indexer";
import { cancellationSignal, unaryHandler } from "../call";
import type { ServiceDeps } from "../deps";
import { statusCodeOf, toServiceError } from "../errors";
import { StreamByteBudget, type GlobalByteBudget } from "../stream-budget";
import { StreamIdleTimer } from "../stream-idle";

export function createAssetHandlers(
  deps: ServiceDeps,
  registry: CollectionRegistry,
  buffers: GlobalByteBudget,
  textIndexer?: TextIndexer,
): UntypedServiceImplementation {
  const { model, limits, log } = deps;
  const advisor = new AltTextAdvisor(model, registry, new ImageTexts(deps.ocr, limits.maxImagePixels, ocrSelection(deps)));

  const syncAssets: handleBidiStreamingCall<SyncAssetsRequest, SyncAssetsResponse> = (call) => {
    const signal = cancellationSignal(call);
    let open = true;
    const session = new SyncSession(
      {
        registry,
        embedImage: (bytes, sessionSignal) => model.embedImage(bytes, AbortSignal.any([signal, sessionSignal])),
        maxAssetBytes: limits.maxMessageBytes,
        codeOf: statusCodeOf,
        readText: textIndexer && ((collection, sha256, bytes) => textIndexer.enqueue(collection, sha256, bytes)),
        budget: new StreamByteBudget(buffers, limits.maxStreamBufferBytes),
      },
      {
        send: (message) => {
          if (!open) return;
          idle.touch();
          call.write(message);
        },
        fail: (error) => {
          if (!open) return;
          open = false;
          idle.stop();
          log.warn(`SyncAssets: ${error instanceof Error ? error.message : String(error)}`);
          call.emit("error", toServiceError(error));
        },
        end: () => {
          if (!open) return;
          open = false;
          idle.stop();
          call.end();
        },
        pause: () => call.pause(),
        resume: () => call.resume(),
      },
    );
    const idle = new StreamIdleTimer(limits.streamIdleMs, () => session.waitingOnClient(), (error) => session.onIdle(error));
    signal.addEventListener("abort", () => {
      open = false;
      idle.stop();
      session.onCancel();
    });
    call.on("data", (request: SyncAssetsRequest) => {
      idle.touch();
      session.onRequest(request);
    });
    call.on("end", () => session.onClientEnd());
  };

  return {
    syncAssets,
    searchAssets: unaryHandler<SearchAssetsRequest, SearchAssetsResponse>("SearchAssets", log, (request, signal) =>
      searchAssets(request, { model, registry, maxTopK: limits.maxTopK, maxTerms: limits.maxTexts }, signal),
    ),
    suggestAltText: unaryHandler<SuggestAltTextRequest, SuggestAltTextResponse>("SuggestAltText", log, (request, signal) =>
      advisor.suggest(request, signal),
    ),
    listCollections: unaryHandler<ListCollectionsRequest, ListCollectionsResponse>("ListCollections", log, async () => ({
      collections: registry.list().map((c) => ({
        name: c.name,
        assetCount: c.assetCount,
        totalBytes: c.totalBytes,
        updatedMs: c.updatedMs,
        model: c.model,
        textsRead: c.textsRead,
        textsPending: textIndexer?.pending(c.name) ?? 0,
      })),
    })),
    getAssetText: unaryHandler<GetAssetTextRequest, GetAssetTextResponse>("GetAssetText", log, async (request) =>
      assetText(registry, request, textIndexer),
    ),
    deleteCollection: unaryHandler<DeleteCollectionRequest, DeleteCollectionResponse>("DeleteCollection", log, async (request) => ({
      deleted: await registry.delete(request.name, "name"),
    })),
  };
}
