// Which workspace paths are indexed: the include globs, minus node_modules, .git, files.exclude and the exclude globs.
// Pure over the settings' values, so that the rules are unit-tested.
import picomatch from "picomatch";
import { IMAGE_EXTENSIONS as IMAGE_FILE_EXTENSIONS, isImageFile } from "@llm2clip/client";

/** The image types the CLI's `index` takes too, without their dot, for globs. */
export const IMAGE_EXTENSIONS = [...IMAGE_FILE_EXTENSIONS].map((extension) => extension.slice(1));
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**"];

export interface FilterSettings {
  /** llm2clip.indexing.include */
  include: readonly string[];
  /** llm2clip.indexing.exclude */
  exclude: readonly string[];
  /** files.exclude: a pattern is on when its value is true (conditional `when` clauses are not followed). */
  filesExclude: Record<string, unknown>;
}

/** Matches '/'-separated paths relative to the folder that no rule excludes. */
export function exclusionFilter(settings: FilterSettings): (relativePath: string) => boolean {
  const fromFiles = Object.entries(settings.filesExclude)
    .filter(([, enabled]) => enabled === true)
    .flatMap(([pattern]) => [pattern, `${pattern}/**`]);
  const isExcluded = picomatch([...ALWAYS_EXCLUDED, ...fromFiles, ...settings.exclude], { dot: true });
  return (relativePath) => !isExcluded(relativePath);
}

/** Matches the image files to index. */
export function imagePathFilter(settings: FilterSettings): (relativePath: string) => boolean {
  const notExcluded = exclusionFilter(settings);
  const isIncluded = picomatch([...settings.include], { dot: false });
  return (relativePath) => isImageFile(relativePath) && isIncluded(relativePath) && notExcluded(relativePath);
}
