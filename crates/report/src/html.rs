//! The HTML page around the charts: escaping, the style sheet (screen and print), tables.

use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
///
/// Control characters other than tab and newline are dropped: they have no place in a page
/// and some (ESC) would otherwise reach a terminal that shows the file.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len().saturating_add(8));
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The style sheet: no web font, no script; charts keep their size and never split across a
/// printed page.
const CSS: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
       margin: 16px 24px; color: #1a1a1a; background: #fff; font-size: 14px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 20px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 12px 0 6px; }
.meta { color: #555; margin: 0 0 8px; }
.grade { display: inline-block; font-size: 18px; font-weight: 600; padding: 2px 10px;
         border-radius: 4px; background: #eef; margin-right: 8px; }
.grade.none { background: #eee; color: #555; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; align-items: start; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; }
figure.chart { margin: 6px 0 10px; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figcaption { font-weight: 600; margin-bottom: 2px; }
ul.legend { list-style: none; padding: 0; margin: 2px 0 0; display: flex; flex-wrap: wrap; gap: 12px;
            font-size: 12px; color: #333; }
.swatch { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 12px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
ol.findings { padding-left: 22px; margin: 4px 0; }
ol.findings li { margin-bottom: 4px; }
.sev-critical { color: #a00; font-weight: 600; }
.sev-warning { color: #a60; font-weight: 600; }
.sev-info { color: #555; }
.note { color: #555; font-size: 12px; }
@media print {
  body { margin: 0; font-size: 11px; }
  .columns { grid-template-columns: 1fr 1fr; }
  .card { border-color: #999; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
}
@page { size: A4 landscape; margin: 12mm; }
";

/// Opens a page with `title` (escaped here).
pub(crate) fn open(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

/// Closes the page.
pub(crate) fn close(out: &mut String) {
    out.push_str("</body>\n</html>\n");
}

/// A table: header cells, then rows of cells (escaped here); `numeric[i]` right-aligns column i.
pub(crate) fn table(
    out: &mut String,
    class: &str,
    head: &[&str],
    numeric: &[bool],
    rows: &[Vec<String>],
) {
    let _ = write!(out, "<table class=\"{}\">\n<thead><tr>", escape(class));
    for (i, h) in head.iter().enumerate() {
        let num = numeric.get(i).copied().unwrap_or(false);
        let _ = write!(
            out,
            "<th{}>{}</th>",
            if num { " class=\"num\"" } else { "" },
            escape(h)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let num = numeric.get(i).copied().unwrap_or(false);
            let _ = write!(
                out,
                "<td{}>{}</td>",
                if num { " class=\"num\"" } else { "" },
                escape(cell)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(escape("<b>&\"'\u{1b}[31m"), "&lt;b&gt;&amp;&quot;&#39;[31m");
    }
}
