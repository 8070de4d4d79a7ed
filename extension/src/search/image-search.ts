// Runs a query against every indexed workspace folder's collection and merges the hits by the daemon's fused score
// (reciprocal rank fusion of the image and text rankings, comparable across collections).
import type { QueryTerm, SearchAssetsResponse } from "@llm2clip/proto";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";

export interface ImageHit {
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  /** Path inside the workspace folder. */
  path: string;
  /** The image cosine. */
  score: number;
  /** What the daemon ranks by: the image ranking fused with the text ranking. */
  fusedScore: number;
  width: number;
  height: number;
  /** The image's text that matched the query's words (OCR), when it did. */
  snippet?: string;
}

export async function searchImages(connection: DaemonConnection, indexer: WorkspaceIndexer, terms: QueryTerm[], topK: number): Promise<ImageHit[]> {
  const folders = indexer.folders.filter((index) => index.phase === "indexed" || index.assets > 0);
  const perFolder = await Promise.all(
    folders.map(async (index) => {
      const response = await connection.unary<SearchAssetsResponse>((client, metadata, options, callback) =>
        client.searchAssets({ collection: index.collection, terms, expression: "", topK, includeGlobs: [], excludeGlobs: [] }, metadata, options, callback),
      );
      return response.hits.map((hit) => ({
        uri: vscode.Uri.joinPath(index.folder.uri, ...hit.path.split("/")),
        folder: index.folder,
        path: hit.path,
        score: hit.score,
        fusedScore: hit.fusedScore,
        width: hit.width,
        height: hit.height,
        ...(hit.textMatch && { snippet: hit.textMatch.snippet }),
      }));
    }),
  );
  return perFolder.flat().sort((a, b) => b.fusedScore - a.fusedScore || b.score - a.score).slice(0, topK);
}

export function textQuery(text: string): QueryTerm[] {
  return [{ weight: 1, text }];
}

/** Query by an image: the indexed asset when the index has it, else the file's bytes. */
export async function imageQuery(indexer: WorkspaceIndexer, uri: vscode.Uri): Promise<QueryTerm[]> {
  const location = indexer.locate(uri);
  const indexed = location && indexer.folders.some((f) => f.collection === location.collection && f.phase === "indexed");
  if (indexed) return [{ weight: 1, image: { asset: { collection: location.collection, path: location.path } } }];
  return [{ weight: 1, image: { data: Buffer.from(await vscode.workspace.fs.readFile(uri)) } }];
}
