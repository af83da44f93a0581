// A fresh dist/ on every build, so a Lua file deleted from src/ never lingers in dist/.
require("fs").rmSync(require("path").join(__dirname, "..", "dist"), { recursive: true, force: true });
