import { status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { ServiceDeps } from "../deps";

// Placeholder until issue 4 lands: the asset RPCs answer UNIMPLEMENTED.
export function createAssetHandlers(_deps: ServiceDeps): UntypedServiceImplementation {
  const unimplemented = (_call: unknown, callback: (e: { code: status; details: string }) => void) =>
    callback({ code: status.UNIMPLEMENTED, details: "not implemented yet" });
  return {
    syncAssets: (call: { emit(event: string, e: unknown): void }) =>
      call.emit("error", { code: status.UNIMPLEMENTED, details: "not implemented yet" }),
    searchAssets: unimplemented,
    suggestAltText: unimplemented,
    listCollections: unimplemented,
    deleteCollection: unimplemented,
  };
}
