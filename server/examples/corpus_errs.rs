//! Developer tool: lists the parse problems of every file under a folder.
fn main() {
    let root = std::env::args().nth(1).unwrap();
    let mut files = vec![];
    fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() { walk(&e, out) } else { out.push(e) }
        }
    }
    walk(std::path::Path::new(&root), &mut files);
    files.sort();
    let mut n = 0;
    let mut bad = 0;
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".txt") || name.ends_with(".tsv") || name.ends_with(".md") {
            continue;
        }
        n += 1;
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_string();
        let t = dockward::syntax::parse(&text);
        let errs = t.errors();
        if !errs.is_empty() {
            bad += 1;
            for e in errs.iter().take(3) {
                println!(
                    "{}: {:?} {} {:?} {:?}",
                    f.display(),
                    e.kind,
                    e.message,
                    e.args,
                    &text.get(e.range.start as usize..e.range.end as usize)
                );
            }
        }
    }
    println!("{n} files, {bad} with errors");
}
