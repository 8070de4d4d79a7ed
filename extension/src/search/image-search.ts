// Runs a query against every indexed workspace folder's collection and merges the hits by score.
import type { QueryTerm, SearchAssetsResponse } from "@llm2clip/proto";
import * as vscode from "vscode";
import type { DaemonConnection } from "../connection/connection";
import type { WorkspaceIndexer } from "../indexing/indexer";

export interface ImageHit {
  uri: vscode.Uri;
  folder: vscode.WorkspaceFolder;
  /** Path inside the workspace folder. */
  path: string;
  score: number;
  width: number;
  height: number;
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
        width: hit.width,
        height: hit.height,
      }));
    }),
  );
  return perFolder.flat().sort((a, b) => b.score - a.score).slice(0, topK);
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
