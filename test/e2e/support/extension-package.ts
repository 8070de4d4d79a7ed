// Builds the extension's .vsix the way users get it: `npm run package`.
import { execFileSync } from "node:child_process";
import path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");

export function packageExtension(): string {
  execFileSync("npm", ["run", "package", "-w", "extension", "--silent"], { cwd: REPO_ROOT, stdio: "pipe", timeout: 180_000 });
  return path.join(REPO_ROOT, "extension", "llm2clip-vscode.vsix");
}
