//! Developer tool: random edits on a folder of Dockerfiles, comparing incremental and full parses.
use dockward::syntax::{Edit, parse};
use dockward::text::TextRange;
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
    let mut seed: u64 = 0x9E3779B97F4A7C15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let inserts = [
        "\n",
        "\\",
        "\\\n",
        "<<EOF\n",
        "EOF\n",
        "RUN x\n",
        "# escape=`\n",
        "`",
        "\"",
        "'",
        " ",
        "#",
        "FROM a\n",
        "\r\n",
        "é",
        "$",
        "${",
    ];
    let mut fails = 0;
    let mut n = 0;
    for f in files.iter().filter(|f| {
        !f.to_string_lossy().ends_with(".txt")
            && !f.to_string_lossy().ends_with(".tsv")
            && !f.to_string_lossy().ends_with(".md")
    }) {
        let mut text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
        let mut tree = parse(&text);
        for _ in 0..200 {
            n += 1;
            let len = text.len() as u64;
            let mut a = (rnd() % (len + 1)) as usize;
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = a + (rnd() % 8) as usize;
            if b > text.len() {
                b = text.len();
            }
            while !text.is_char_boundary(b) {
                b -= 1;
            }
            let ins = if rnd() % 3 == 0 {
                ""
            } else {
                inserts[(rnd() % inserts.len() as u64) as usize]
            };
            let mut new = text.clone();
            new.replace_range(a..b, ins);
            let inc = tree.edit(
                &new,
                Edit {
                    range: TextRange::new(a as u32, b as u32),
                    new_len: ins.len() as u32,
                },
            );
            let full = parse(&new);
            if inc != full {
                fails += 1;
                if fails < 5 {
                    let di = dockward::syntax::dump::dump(&inc, &new);
                    let df = dockward::syntax::dump::dump(&full, &new);
                    let d: Vec<_> = di.lines().zip(df.lines()).filter(|(x, y)| x != y).take(3).collect();
                    println!(
                        "MISMATCH {} at {a}..{b} ins {ins:?}\nOLD:{:?}\nNEW:{:?}\n{:#?} {} {}",
                        f.display(),
                        text,
                        new,
                        d,
                        di.lines().count(),
                        df.lines().count()
                    );
                    if d.is_empty() {
                        println!(
                            "{:?}\n{:?}",
                            inc.items
                                .iter()
                                .map(|i| (i.start, i.node.len, i.node.lookahead))
                                .collect::<Vec<_>>(),
                            full.items
                                .iter()
                                .map(|i| (i.start, i.node.len, i.node.lookahead))
                                .collect::<Vec<_>>()
                        );
                    }
                }
            }
            text = new;
            tree = full;
        }
    }
    println!("{n} edits, {fails} mismatches");
}
