import { spawnSync } from 'node:child_process';

/**
 * A pure-Python wheel written with the zipfile module (no build tools, no PyPI), so
 * tests can build environments with pip from local packages.
 */
export function makeWheel(dir: string, name: string, version: string, code: string): void {
  const script = `
import zipfile, hashlib, base64, sys
d, name, ver, code = sys.argv[1:5]
files = {f"{name}/__init__.py": code,
         f"{name}-{ver}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n",
         f"{name}-{ver}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: lathe-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
rec = []
with zipfile.ZipFile(f"{d}/{name}-{ver}-py3-none-any.whl", "w") as z:
    for p, c in files.items():
        z.writestr(p, c)
        h = base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode()
        rec.append(f"{p},sha256={h},{len(c.encode())}")
    rec.append(f"{name}-{ver}.dist-info/RECORD,,")
    z.writestr(f"{name}-{ver}.dist-info/RECORD", "\\n".join(rec) + "\\n")
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, dir, name, version, code]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
}
