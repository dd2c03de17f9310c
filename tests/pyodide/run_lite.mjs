// Boot Pyodide under node (as xlwings Lite runs it in the browser), install wego-xl and its
// pure-Python dependencies from local wheels, and run check_lite.py. Prints its output.
// usage: node run_lite.mjs PYODIDE_DIR NUMPY_WHEEL SQLITE3_WHEEL WHEELS_DIR CHECK_SCRIPT
import { readFileSync } from "node:fs";

const [pyodideDir, numpyWheel, sqliteWheel, wheelsDir, checkScript] = process.argv.slice(2);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
await pyodide.loadPackage(numpyWheel);
await pyodide.loadPackage(sqliteWheel); // the standard library's sqlite3, a package of its own in Pyodide
pyodide.FS.mkdirTree("/wheels");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: wheelsDir }, "/wheels");
pyodide.FS.mkdirTree("/project/tests");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: new URL("..", import.meta.url).pathname }, "/project/tests");
await pyodide.loadPackage(["/wheels/micropip-0.9.0-py3-none-any.whl", "/wheels/packaging-26.4-py3-none-any.whl"].map(
  (p) => wheelsDir + p.slice("/wheels".length)));
await pyodide.runPythonAsync(`
import micropip, os
wheels = sorted("emfs:/wheels/" + n for n in os.listdir("/wheels") if n.endswith(".whl") and not n.startswith(("micropip", "packaging")))
await micropip.install(wheels, deps=False)
`);
const out = await pyodide.runPythonAsync(readFileSync(checkScript, "utf8"));
console.log(out);
