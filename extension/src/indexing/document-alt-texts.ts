// The alt texts that a folder's documents give its images, sent with the manifest (ManifestEntry.alt_texts) so that
// the daemon can reuse them as suggestions for similar images.
import * as vscode from "vscode";
import { findImageReferences } from "../../../server/src/alttext/references";
import { resolveImageSrc } from "../shared/image-src";
import { referenceLanguageOfPath } from "../shared/languages";
import { DOCUMENT_GLOB, findFolderFiles, relativeTo } from "./workspace-files";

const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

export async function altTextsByImage(folder: vscode.WorkspaceFolder): Promise<Map<string, string[]>> {
  const byImage = new Map<string, Set<string>>();
  const documents = await findFolderFiles(folder, DOCUMENT_GLOB, () => true);
  const decoder = new TextDecoder();
  for (const uri of documents) {
    const docPath = relativeTo(folder, uri);
    const language = referenceLanguageOfPath(docPath);
    if (!language) continue;
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.length > MAX_DOCUMENT_BYTES) continue;
    for (const ref of findImageReferences(decoder.decode(bytes), language)) {
      const alt = ref.alt?.trim();
      const image = resolveImageSrc(docPath, ref.src);
      if (!alt || ref.decorative || !image) continue;
      if (!byImage.has(image)) byImage.set(image, new Set());
      byImage.get(image)!.add(alt);
    }
  }
  return new Map([...byImage].map(([image, alts]) => [image, [...alts]]));
}
