// Finds image references, with exact source ranges, in Markdown, HTML, JSX/TSX and Vue templates. Pure functions
// over a string; the references come in source order.
import { findImgTags } from "./img-tags";
import { findMarkdownImages } from "./markdown-images";
import type { ImageReference, ReferenceLanguage } from "./references";

export function findImageReferences(text: string, languageId: ReferenceLanguage): ImageReference[] {
  switch (languageId) {
    case "markdown":
      return findMarkdownImages(text);
    case "html":
    case "vue":
      return findImgTags(text, 0, "html");
    case "javascriptreact":
    case "typescriptreact":
      return findImgTags(text, 0, "jsx");
  }
}
