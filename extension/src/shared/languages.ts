import type { ReferenceLanguage } from "../../../server/src/alttext/references";

const BY_EXTENSION: Record<string, ReferenceLanguage> = {
  md: "markdown",
  markdown: "markdown",
  html: "html",
  htm: "html",
  jsx: "javascriptreact",
  tsx: "typescriptreact",
  vue: "vue",
};

/** The language of a document file by its extension, for files that are not open in an editor. */
export function referenceLanguageOfPath(filePath: string): ReferenceLanguage | undefined {
  const extension = /\.([^./]+)$/.exec(filePath)?.[1]?.toLowerCase();
  return extension ? BY_EXTENSION[extension] : undefined;
}
