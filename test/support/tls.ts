// A self-signed certificate for localhost and 127.0.0.1, made with Debian's openssl, for tests of llm2clipd's TLS.
import { execFileSync } from "node:child_process";
import path from "node:path";

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

/** Writes cert.pem and key.pem into `dir` (a P-256 key, valid one day). */
export function selfSignedCertificate(dir: string): CertificateFiles {
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout", keyPath, "-out", certPath,
  ], { stdio: "pipe" });
  return { certPath, keyPath };
}
