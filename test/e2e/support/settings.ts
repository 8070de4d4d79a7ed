// The user settings of an e2e run: a quiet workbench, and the extension auto-starting its own daemon with `model`,
// its data in `daemonData`, on `daemonPort`, with `daemonArgs` added to its command line.
import { daemonBundle } from "../../support/daemon";

export function autoStartSettings(daemonPort: number, model: string, daemonData: string, daemonArgs: string[] = []): Record<string, unknown> {
  return {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "llm2clip.server": `127.0.0.1:${daemonPort}`,
    "llm2clip.daemon.autoStart": true,
    "llm2clip.daemon.path": daemonBundle(),
    "llm2clip.daemon.model": model,
    "llm2clip.daemon.args": ["--data-dir", daemonData, "--device", "cpu", ...daemonArgs],
  };
}
