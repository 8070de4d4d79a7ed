// The text that "insert reference" puts at the cursor, in the syntax of the document being edited.
import { escapeAlt } from "@llm2clip/client";

/** `imagePath` is relative to the document (see relativeImagePath); `alt` is the text to describe the image with. */
export function referenceSnippet(languageId: string, imagePath: string, alt: string): string {
  const src = escapeAlt(imagePath, "html-double");
  switch (languageId) {
    case "html":
    case "vue":
      return `<img src="${src}" alt="${escapeAlt(alt, "html-double")}">`;
    case "javascriptreact":
    case "typescriptreact":
      return `<img src="${src}" alt="${escapeAlt(alt, "html-double")}" />`;
    default: {
      const destination = /[\s()<>]/.test(imagePath) ? `<${imagePath.replace(/[<>]/g, encodeURIComponent)}>` : imagePath;
      return `![${escapeAlt(alt, "markdown")}](${destination})`;
    }
  }
}
