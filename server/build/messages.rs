//! Generates `messages.rs` in `OUT_DIR` from the catalogs `server/messages/<lang>.txt`.

use std::fmt::Write;
use std::path::Path;

pub fn generate(manifest: &Path, out: &Path) {
    let dir = manifest.join("server/messages");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut langs: Vec<String> = std::fs::read_dir(&dir)
        .expect("server/messages")
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "txt" {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    langs.sort();
    let mut code = String::from(
        "/// Message catalogs: (language, sorted (id, template) pairs).\npub static CATALOGS: &[(&str, &[(&str, &str)])] = &[\n",
    );
    for lang in &langs {
        let path = dir.join(format!("{lang}.txt"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("catalog");
        let mut entries: Vec<(String, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let Some((k, v)) = t.split_once(" = ") else {
                panic!("{}:{}: expected `id = text`", path.display(), n + 1);
            };
            let k = k.trim().to_string();
            if entries.iter().any(|(e, _)| *e == k) {
                panic!("{}:{}: duplicate id {k}", path.display(), n + 1);
            }
            entries.push((k, v.trim().to_string()));
        }
        entries.sort();
        writeln!(code, "    ({lang:?}, &[").unwrap();
        for (k, v) in entries {
            writeln!(code, "        ({k:?}, {v:?}),").unwrap();
        }
        writeln!(code, "    ]),").unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out.join("messages.rs"), code).expect("write messages.rs");
}
