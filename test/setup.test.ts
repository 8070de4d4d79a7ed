// The setup step's decisions, on a simulated machine that lacks everything: no python3 and nothing on PATH.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingRequirements, REQUIREMENTS, setupPlan } from "./setup.mjs";

const emptyPath = mkdtempSync(path.join(os.tmpdir(), "llm2clip-setup-"));
afterAll(() => rmSync(emptyPath, { recursive: true, force: true }));
const bareMachine = { python: path.join(emptyPath, "python3"), path: emptyPath };

describe("npm test's setup step", () => {
  it("finds the Python modules and the commands missing on a machine that has none of them", () => {
    const missing = missingRequirements(REQUIREMENTS, bareMachine).map((r) => r.packages.join(" "));
    for (const pkg of ["python3-torch", "python3-onnx", "python3-numpy", "python3-pil", "python3-grpcio", "python3-grpc-tools", "python3-protobuf"]) {
      expect(missing).toContain(pkg);
    }
    for (const pkg of ["protobuf-compiler", "openssl", "ripgrep", "build-essential pkg-config", "libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev"]) {
      expect(missing).toContain(pkg);
    }
  });

  it("as root, installs every missing package with apt-get, after updating the lists", () => {
    const missing = missingRequirements(REQUIREMENTS, bareMachine);
    const plan = setupPlan(missing, { isRoot: true, hasApt: true });
    expect(plan.action).toBe("install");
    expect(plan.commands![0]).toEqual(["apt-get", "update"]);
    expect(plan.commands![1]!.slice(0, 3)).toEqual(["apt-get", "install", "-y"]);
    expect(plan.commands![1]!.slice(3).sort()).toEqual([...new Set(missing.flatMap((r) => r.packages))].sort());
    expect(plan.message).toContain("Python interop client");
  });

  it("as another user, stops with the exact command to run", () => {
    const missing = missingRequirements(REQUIREMENTS, bareMachine);
    const plan = setupPlan(missing, { isRoot: false, hasApt: true });
    expect(plan.action).toBe("stop");
    expect(plan.message).toContain(`sudo apt-get update && sudo apt-get install -y ${[...new Set(missing.flatMap((r) => r.packages))].join(" ")}\n`);
  });

  it("without apt-get, names what is missing and says it needs Debian or Ubuntu", () => {
    const plan = setupPlan(missingRequirements(REQUIREMENTS, bareMachine), { isRoot: true, hasApt: false });
    expect(plan.action).toBe("stop");
    expect(plan.message).toMatch(/no apt-get \(Debian or Ubuntu\)/);
  });

  it("does nothing when nothing is missing", () => {
    expect(setupPlan([], { isRoot: true, hasApt: true })).toEqual({ action: "none" });
  });
});
