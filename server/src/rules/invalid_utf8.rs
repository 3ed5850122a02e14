//! DW007 invalid-utf8: the file had bytes that are not UTF-8.

use crate::rules::{Ctx, Sink, declare_rule};
use crate::text::TextRange;

declare_rule! {
    /// The Dockerfile is not valid UTF-8.
    ///
    /// ## What it does
    /// Reports the first place where the file's bytes are not UTF-8 (for example a file saved as
    /// Latin-1 or Shift_JIS). dockward reads such bytes as U+FFFD and goes on.
    ///
    /// ## Why is this bad?
    /// Docker passes the bytes through unchanged, so labels, environment values and file names in the
    /// image may contain garbled text, and tools that expect UTF-8 may misread the file.
    ///
    /// ## Example
    /// A Dockerfile saved in Shift_JIS with a Japanese `LABEL description`.
    ///
    /// ## Use instead
    /// Save the file as UTF-8.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    ///
    /// ## 日本語
    ///
    /// ### 概要
    /// Dockerfile が正しい UTF-8 ではありません。
    ///
    /// ### 検出内容
    /// ファイルのバイト列が UTF-8 として読めない最初の位置を報告します (Latin-1 や Shift_JIS で保存されたファイルな
    /// ど)。dockward はそのバイトを U+FFFD として読み、処理を続けます。
    ///
    /// ### なぜ問題か
    /// Docker はバイト列をそのまま渡すため、イメージ内のラベル、環境変数の値、
    /// ファイル名が文字化けすることがあります。UTF-8 を前提とするツールがファイルを誤って読む原因にもなります。
    ///
    /// ### 対処法
    /// ファイルを UTF-8 で保存し直してください。
    pub static INVALID_UTF8 = {
        code: "DW007",
        name: "invalid-utf8",
        severity: Warning,
        tags: ["syntax"],
        fix: None,
        since: "0.1.0",
        check: check,
    }
}

fn check(ctx: &Ctx, sink: &mut Sink) {
    if let Some(offset) = ctx.input.invalid_utf8_at {
        let offset = offset.min(ctx.text.len() as u32);
        let end = ctx.text[offset as usize..]
            .chars()
            .next()
            .map_or(offset, |c| offset + c.len_utf8() as u32);
        sink.report(TextRange::new(offset, end), "invalid-utf8", Vec::new());
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, check};
    use crate::date::Date;
    use crate::settings::Settings;

    #[test]
    fn reports_the_first_invalid_byte() {
        let bytes = b"FROM alpine\nLABEL a=\xff\xfe\n";
        let text = String::from_utf8_lossy(bytes);
        let input = Input {
            invalid_utf8_at: Some(20),
            fixes: true,
            ..Input::new(&text, Date::new(2026, 1, 1))
        };
        let mut d = check(&input, &Settings::default());
        d.retain(|d| d.code == "DW007");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "DW007");
        assert_eq!(&text[d[0].range.as_usize()], "\u{FFFD}");
    }
}
