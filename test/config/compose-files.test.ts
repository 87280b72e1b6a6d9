// Files the compose file names are shipped to the same path under the stack directory (checked
// in the rendered user-data), and every path that cannot be shipped is refused with a caret in
// the compose file.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIR_LIMITS } from "../../src/config/compose-files.js";
import { config, folder, loaded, problems, stackFiles } from "./compose-helpers.js";

const APP = "services:\n  app:\n    image: nginx:1.27.3\n";

describe("files the compose file names are shipped", () => {
  it("env_file, label_file, bind-mounted files and folders, secrets and configs: same path, env files root-only", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": `${APP}    env_file: [./env/app.env, { path: ./opt.env, required: false }]
    label_file: ./labels.txt
    volumes:
      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro
      - type: bind
        source: ./html
        target: /usr/share/nginx/html
      - ./logs:/var/log/app
      - data:/data
secrets:
  token:
    file: ./secrets/token.txt
configs:
  site:
    file: ./site.json
volumes:
  data:
`,
      "env/app.env": "A=1\n",
      "labels.txt": "com.example.team=ops\n",
      "conf/nginx.conf": "events {}\n",
      "html/index.html": "<h1>hi</h1>\n",
      "html/css/site.css": "body{}\n",
      "secrets/token.txt": "t0ken\n",
      "site.json": "{}\n",
    });
    const files = await stackFiles(dir);
    expect(Object.keys(files).sort()).toEqual([
      ".env",
      "compose.yaml",
      "conf/nginx.conf",
      "env/app.env",
      "html/css/site.css",
      "html/index.html",
      "labels.txt",
      "secrets/token.txt",
      "site.json",
    ]);
    expect(files["env/app.env"]).toEqual({ mode: "0600", content: "A=1\n" });
    expect(files["conf/nginx.conf"]).toEqual({ mode: "0644", content: "events {}\n" });
    expect(files["html/css/site.css"]!.content).toBe("body{}\n");
    // ./logs does not exist: a writable folder Docker creates empty on the server.
    expect(files["logs"]).toBeUndefined();
  });

  it("resolves paths relative to the compose file, which becomes the stack directory", async () => {
    const dir = folder({
      "firstboot.yaml": config().replace("./compose.yaml", "./app/compose.yaml"),
      "app/compose.yaml": `${APP}    volumes: [./nginx.conf:/etc/nginx/nginx.conf:ro]\n`,
      "app/nginx.conf": "events {}\n",
    });
    expect(Object.keys(await stackFiles(dir))).toContain("nginx.conf");
  });

  it("takes `env_file: .env` to mean the generated .env, and a file stack.files already ships once", async () => {
    const dir = folder({
      "firstboot.yaml": config("  files:\n    Caddyfile: ./Caddyfile\n"),
      "compose.yaml": `${APP}    env_file: .env\n    volumes: [./Caddyfile:/etc/caddy/Caddyfile:ro]\n`,
      Caddyfile: ":80\n",
    });
    const l = await loaded(dir);
    expect(l.included.files).toEqual({ Caddyfile: Buffer.from(":80\n") });
  });

  it("a folder stack.files fills (mailraven's ./config) need not exist here", async () => {
    const dir = folder({
      "firstboot.yaml": config("  files:\n    config/app.yaml: ./app.yaml\n"),
      "compose.yaml": `${APP}    volumes: [./config:/config:ro]\n`,
      "app.yaml": "a: 1\n",
    });
    expect((await loaded(dir)).included.files).toEqual({ "config/app.yaml": Buffer.from("a: 1\n") });
  });

  it("ships an included compose file, an extends file and their own files", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": `include: [db/compose.yaml]\n${APP}    extends: { file: base.yaml, service: web }\n`,
      "base.yaml": "services:\n  web:\n    image: nginx\n    volumes: [./base.conf:/etc/base.conf:ro]\n",
      "base.conf": "b\n",
      "db/compose.yaml": "services:\n  db:\n    image: postgres:16\n    env_file: db.env\n",
      "db/db.env": "POSTGRES_PASSWORD=x\n",
    });
    const files = await stackFiles(dir);
    expect(Object.keys(files).sort()).toEqual([
      ".env",
      "base.conf",
      "base.yaml",
      "compose.yaml",
      "db/compose.yaml",
      "db/db.env",
    ]);
    expect(files["db/db.env"]!.mode).toBe("0600");
  });
});

describe("files that cannot be shipped are refused, pointing into the compose file", () => {
  it("an env_file outside the compose folder, absolute, or missing", async () => {
    const dir = folder({
      "firstboot.yaml": config().replace("./compose.yaml", "./app/compose.yaml"),
      "app/compose.yaml": `${APP}    env_file:\n      - ../shared.env\n      - /etc/app.env\n      - ./missing.env\n      - { path: ./optional.env, required: false }\n`,
      "shared.env": "A=1\n",
    });
    const text = await problems(dir);
    expect(text).toContain("error[stack.compose]: env_file ../shared.env is outside the compose file's folder");
    expect(text).toContain("app/compose.yaml:5:9");
    expect(text).toContain("error[stack.compose]: env_file /etc/app.env is an absolute path");
    expect(text).toContain(
      "error[stack.compose]: env_file ./missing.env does not exist\n  --> <dir>/app/compose.yaml:7:9",
    );
    expect(text).not.toContain("optional.env");
  });

  it("a missing bind source that is a file or read-only; the caret on the source only", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": `${APP}    volumes:\n      - "./conf/nginx.conf:/etc/nginx/nginx.conf"\n      - ./static:/srv:ro\n      - { type: bind, source: ./data, target: /data }\n`,
    });
    const text = await problems(dir);
    expect(text).toContain("bind mount source ./conf/nginx.conf does not exist");
    expect(text).toContain('5 |       - "./conf/nginx.conf:/etc/nginx/nginx.conf"\n  |          ^^^^^^^^^^^^^^^^^\n');
    expect(text).toContain("bind mount source ./static does not exist");
    // Long syntax: Docker refuses a missing source unless bind.create_host_path is set.
    expect(text).toContain("bind mount source ./data does not exist");
  });

  it("a link out of the config's folder, a binary file, a folder over the limits", async () => {
    const dir = folder({
      "firstboot.yaml": config(),
      "compose.yaml": `${APP}    volumes: [./key.pem:/k:ro, ./logo.png:/l:ro, ./big:/big:ro]\n`,
    });
    writeFileSync(join(dir, "..", "outside-key"), "-----BEGIN PRIVATE KEY-----\n");
    symlinkSync(join(dir, "..", "outside-key"), join(dir, "key.pem"));
    writeFileSync(join(dir, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]));
    mkdirSync(join(dir, "big"));
    for (let i = 0; i <= DIR_LIMITS.files; i++) writeFileSync(join(dir, "big", `f${i}.txt`), "x");
    const text = await problems(dir);
    expect(text).toContain("bind mount source ./key.pem is a symbolic link to a file outside the config's directory");
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).toContain("logo.png is not a text file");
    expect(text).toContain(`folder ./big holds more than ${DIR_LIMITS.files} files or 256 KiB`);
  });

  it("a stack.files entry that ships another file where the compose file needs one", async () => {
    const dir = folder({
      "firstboot.yaml": config("  files:\n    Caddyfile: ./Caddyfile.prod\n"),
      "compose.yaml": `${APP}    volumes: [./Caddyfile:/etc/caddy/Caddyfile:ro]\n`,
      Caddyfile: ":8080\n",
      "Caddyfile.prod": ":80\n",
    });
    expect(await problems(dir)).toContain(
      "error[stack.compose]: the compose file needs Caddyfile on the server, but stack.files sets `Caddyfile` from another file",
    );
  });

  it("the user's own .env: keys stack.env does not define would vanish", async () => {
    const dir = folder({
      "firstboot.yaml": config("  env:\n    DOMAIN: example.com\n"),
      "compose.yaml": APP,
      ".env": "# local\nDOMAIN=localhost\nexport API_KEY='abc'\nDEBUG=1 # on\n",
    });
    const text = await problems(dir);
    expect(text).toContain(
      "error[stack.env]: this .env defines API_KEY, DEBUG, which stack.env does not: on the server .env is generated from stack.env",
    );
    expect(text).toContain("--> <dir>/.env:3:8");
    const fine = folder({
      "firstboot.yaml": config("  env:\n    DOMAIN: x\n"),
      "compose.yaml": APP,
      ".env": "DOMAIN=y\n",
    });
    expect((await loaded(fine)).included.files).toEqual({});
  });
});
