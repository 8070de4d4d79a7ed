// The e2e search tests check that the editor shows the daemon's ranking; how often the tiny model ranks a description's
// image first is measured by test/integration/assets-quality.test.ts. So the query is the first described scene
// (clearest first) whose recorded answer the daemon itself ranks first: a known answer that the model gets right.
import { credentials } from "@grpc/grpc-js";
import { Llm2ClipClient, type ListCollectionsResponse, type SearchAssetsResponse } from "@llm2clip/proto";
import { unary } from "../../support/daemon";

export async function confirmedQuery(address: string, candidates: { query: string; image: string }[]): Promise<{ query: string; image: string }> {
  const client = new Llm2ClipClient(address, credentials.createInsecure());
  try {
    const { collections } = await unary<ListCollectionsResponse>((done) => client.listCollections({}, done));
    if (collections.length !== 1) throw new Error(`expected the workspace's one collection, found ${collections.length}`);
    for (const candidate of candidates) {
      const { hits } = await unary<SearchAssetsResponse>((done) =>
        client.searchAssets(
          { collection: collections[0]!.name, terms: [{ weight: 1, text: candidate.query }], expression: "", topK: 1, includeGlobs: [], excludeGlobs: [] },
          done,
        ),
      );
      if (hits[0]?.path === candidate.image) return candidate;
    }
    throw new Error(`the daemon ranks none of the ${candidates.length} scenes' images first for its caption`);
  } finally {
    client.close();
  }
}
