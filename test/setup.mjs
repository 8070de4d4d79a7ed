// npm test's first step: checks every system package the tests need, installs the missing ones with apt-get when run as
// root (naming each), or stops with the exact command to run otherwise; then caches code-server for the e2e tests.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CODE_SERVER_SETUP = path.join(path.dirname(fileURLToPath(import.meta.url)), "e2e", "setup-code-server.sh");

/** The probes' view of the machine: which interpreter the Python tests use, and the PATH commands are looked up in. */
const DEFAULT_SYSTEM = { python: "/usr/bin/python3", path: process.env.PATH ?? "" };

function onPath(command, system) {
  return system.path.split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir || ".", command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const commands = (...names) => (system) => names.every((name) => onPath(name, system));

/** The Python modules, of `modules`, that `system.python` cannot import (all of them when it is missing). */
function missingPythonModules(modules, system) {
  const run = spawnSync(system.python, ["-c", "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))", ...modules], {
    encoding: "utf8",
  });
  return run.status === 0 ? run.stdout.split(/\s+/).filter(Boolean) : modules;
}

function pkgConfig(...modules) {
  return (system) => onPath("pkg-config", system) && spawnSync("pkg-config", ["--exists", ...modules], { env: { ...process.env, PATH: system.path } }).status === 0;
}

function protocSupportsOptional(system) {
  if (!onPath("protoc", system)) return false;
  const run = spawnSync("protoc", ["--version"], { encoding: "utf8", env: { ...process.env, PATH: system.path } });
  const [major, minor] = (/(\d+)\.(\d+)/.exec(run.stdout ?? "") ?? []).slice(1).map(Number);
  // proto3 `optional` needs protoc 3.15 or newer (grpc-tools' bundled 3.5 cannot read the contract).
  return major > 3 || (major === 3 && minor >= 15);
}

/** PyTorch reaches BLAS through Debian's libblas.so.3 alternative: without OpenBLAS behind it, training and tests run ~14x slower. */
function blasIsOpenBlas() {
  try {
    return realpathSync(`/usr/lib/${os.arch() === "arm64" ? "aarch64" : "x86_64"}-linux-gnu/libblas.so.3`).includes("openblas");
  } catch {
    return false;
  }
}

const files = (...paths) => () => paths.every((file) => existsSync(file));

/**
 * What the tests need from the system: each with what it is for, the Debian/Ubuntu packages that provide it, and how to
 * tell that it is there. Python modules are probed together (one interpreter start) through `module`.
 */
export const REQUIREMENTS = [
  { name: "PyTorch for /usr/bin/python3", purpose: "the model tests and the bench's peer", packages: ["python3-torch"], module: "torch" },
  { name: "ONNX for Python", purpose: "the exporter's tests", packages: ["python3-onnx"], module: "onnx" },
  { name: "NumPy", purpose: "the model tests", packages: ["python3-numpy"], module: "numpy" },
  { name: "Pillow", purpose: "preprocessing parity with the model's Python side", packages: ["python3-pil"], module: "PIL" },
  { name: "gRPC for Python", purpose: "the Python interop client", packages: ["python3-grpcio"], module: "grpc" },
  { name: "grpc-tools for Python", purpose: "the Python interop client", packages: ["python3-grpc-tools"], module: "grpc_tools" },
  { name: "protobuf for Python", purpose: "the Python interop client", packages: ["python3-protobuf"], module: "google.protobuf" },
  { name: "OpenBLAS behind libblas.so.3", purpose: "PyTorch at full speed", packages: ["libopenblas0-pthread"], present: blasIsOpenBlas },
  { name: "protoc 3.15 or newer", purpose: "the Python interop client's generated messages", packages: ["protobuf-compiler"], present: protocSupportsOptional },
  { name: "openssl", purpose: "self-signed certificates for the TLS tests", packages: ["openssl"], present: commands("openssl") },
  { name: "Chromium", purpose: "the end-to-end tests' browser", packages: ["chromium"], present: files("/usr/bin/chromium") },
  { name: "ripgrep", purpose: "code-server's search, whose own rg download is unreachable", packages: ["ripgrep"], present: commands("rg") },
  {
    name: "fonts with Chinese glyphs",
    purpose: "Chinese captions in the editor and its screenshots",
    packages: ["fonts-noto-cjk", "fonts-wqy-microhei"],
    present: files("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
  },
  { name: "a C/C++ toolchain and pkg-config", purpose: "code-server's native modules", packages: ["build-essential", "pkg-config"], present: commands("make", "g++", "pkg-config") },
  {
    name: "Kerberos, X11, xkbfile and libsecret headers",
    purpose: "code-server's native modules",
    packages: ["libkrb5-dev", "libx11-dev", "libxkbfile-dev", "libsecret-1-dev"],
    present: pkgConfig("krb5", "x11", "xkbfile", "libsecret-1"),
  },
];

/** The requirements `system` lacks. */
export function missingRequirements(requirements = REQUIREMENTS, system = DEFAULT_SYSTEM) {
  const modules = requirements.filter((r) => r.module).map((r) => r.module);
  const missingModules = new Set(modules.length > 0 ? missingPythonModules(modules, system) : []);
  return requirements.filter((r) => (r.module ? missingModules.has(r.module) : !r.present(system)));
}

/** What to do about `missing`: nothing, install with apt-get (as root), or stop and tell a non-root user what to run. */
export function setupPlan(missing, { isRoot, hasApt }) {
  if (missing.length === 0) return { action: "none" };
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  const list = missing.map((r) => `  - ${r.name}, for ${r.purpose}: ${r.packages.join(" ")}`).join("\n");
  if (!hasApt) return { action: "stop", message: `npm test needs these system packages, and this machine has no apt-get (Debian or Ubuntu):\n${list}` };
  const install = ["apt-get", "install", "-y", ...packages];
  if (isRoot) return { action: "install", packages, commands: [["apt-get", "update"], install], message: `Installing with apt-get:\n${list}` };
  return {
    action: "stop",
    message: `npm test needs these system packages:\n${list}\nInstall them, then run npm test again:\n\n  sudo apt-get update && sudo ${install.join(" ")}\n`,
  };
}

function main() {
  const missing = missingRequirements();
  const isRoot = process.getuid?.() === 0;
  const plan = setupPlan(missing, { isRoot, hasApt: onPath("apt-get", DEFAULT_SYSTEM) });
  if (plan.action === "stop") {
    console.error(`setup: ${plan.message}`);
    return 1;
  }
  if (plan.action === "install") {
    console.log(`setup: ${plan.message}`);
    for (const [command, ...args] of plan.commands) {
      execFileSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    }
    const still = missingRequirements(missing);
    if (still.length > 0) {
      console.error(`setup: still missing after apt-get install: ${still.map((r) => r.name).join(", ")}`);
      return 1;
    }
  }
  console.log(`setup: all ${REQUIREMENTS.length} system requirements present`);
  const run = spawnSync("bash", [CODE_SERVER_SETUP], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (run.status !== 0) {
    console.error(`setup: installing code-server for the end-to-end tests failed (${CODE_SERVER_SETUP}, exit ${run.status ?? run.signal})`);
    return 1;
  }
  const codeServer = run.stdout.trim().split("\n").pop();
  console.log(`setup: code-server for the end-to-end tests: ${codeServer}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
