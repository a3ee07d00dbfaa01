//! A minimal XML reader and writer for the flat response documents of the vendors' APIs:
//! elements, text and the five predefined entities; no attributes, namespaces, CDATA or DTDs
//! (a declaration `<?xml ...?>` and comments are skipped).

use crate::error::{Error, Result};

/// An element: its name, its text (concatenated, trimmed) and its child elements in order.
///
/// `#[non_exhaustive]`: the reader may learn attributes one day. Read the public fields; build
/// one with [`Element::new`] and [`Element::with_child`].
///
/// ```
/// use mediameter_usage::vendor::xml::{self, Element};
/// let doc = xml::parse("<Root><Code>OK</Code></Root>")?;
/// let built = Element::new("Root", "").with_child(Element::new("Code", "OK"));
/// assert_eq!(doc, built);
/// assert_eq!(doc.child("Code").map(|c| c.text.as_str()), Some("OK"));
/// # Ok::<(), mediameter_usage::Error>(())
/// ```
///
/// ```compile_fail,E0639
/// let e = mediameter_usage::vendor::xml::Element { name: "a".into(), text: String::new(), children: vec![] };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Element {
    /// The tag name.
    pub name: String,
    /// The text directly inside, unescaped and trimmed.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// An element named `name` holding `text` and no children.
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            text: text.into(),
            children: Vec::new(),
        }
    }

    /// The same element with `child` after its other children.
    #[must_use]
    pub fn with_child(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }

    /// The first child named `name`.
    #[must_use]
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Deepest nesting accepted: these documents are three levels deep.
const MAX_DEPTH: usize = 32;

/// Parses a document into its root element.
///
/// # Errors
///
/// [`Error::Document`] naming the byte offset of a malformed tag, a mismatched closing tag, an
/// unknown entity, attributes, or nesting deeper than 32.
pub fn parse(text: &str) -> Result<Element> {
    let bad = |pos: usize, what: &str| Error::document("xml", format!("at byte {pos}: {what}"));
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut rest = text;
    let mut pos = 0_usize;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let close = after.find('>').ok_or_else(|| bad(pos, "unclosed tag"))?;
            let tag = after.get(..close).unwrap_or("");
            let consumed = close.saturating_add(2);
            if tag.starts_with('?') || tag.starts_with('!') {
                if tag.starts_with("!--") && !tag.ends_with("--") {
                    let end = rest
                        .find("-->")
                        .ok_or_else(|| bad(pos, "unclosed comment"))?;
                    pos = pos.saturating_add(end).saturating_add(3);
                    rest = rest.get(end.saturating_add(3)..).unwrap_or("");
                    continue;
                }
            } else if let Some(name) = tag.strip_prefix('/') {
                let el = stack
                    .pop()
                    .ok_or_else(|| bad(pos, "closing tag without an opening one"))?;
                if el.name != name.trim() {
                    return Err(bad(
                        pos,
                        &format!("</{}> closes <{}>", name.trim(), el.name),
                    ));
                }
                finish(el, &mut stack, &mut root, pos)?;
            } else {
                let self_closing = tag.ends_with('/');
                let name = tag.trim_end_matches('/').trim();
                if name.is_empty()
                    || name.contains(|c: char| c.is_whitespace() || c == '=' || c == '"')
                {
                    return Err(bad(pos, "attributes and empty tag names are not supported"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(bad(pos, "nesting too deep"));
                }
                let el = Element {
                    name: name.to_owned(),
                    ..Element::default()
                };
                if self_closing {
                    finish(el, &mut stack, &mut root, pos)?;
                } else {
                    stack.push(el);
                }
            }
            pos = pos.saturating_add(consumed);
            rest = rest.get(consumed..).unwrap_or("");
        } else {
            let next = rest.find('<').unwrap_or(rest.len());
            let raw = rest.get(..next).unwrap_or("");
            if !raw.trim().is_empty() {
                let top = stack
                    .last_mut()
                    .ok_or_else(|| bad(pos, "text outside the root element"))?;
                top.text.push_str(&unescape(raw.trim(), pos)?);
            }
            pos = pos.saturating_add(next);
            rest = rest.get(next..).unwrap_or("");
        }
    }
    if let Some(open) = stack.last() {
        return Err(bad(pos, &format!("<{}> is never closed", open.name)));
    }
    root.ok_or_else(|| bad(0, "no root element"))
}

fn finish(
    el: Element,
    stack: &mut [Element],
    root: &mut Option<Element>,
    pos: usize,
) -> Result<()> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => {
            if root.is_some() {
                return Err(Error::document(
                    "xml",
                    format!("at byte {pos}: a second root element"),
                ));
            }
            *root = Some(el);
        }
    }
    Ok(())
}

fn unescape(s: &str, pos: usize) -> Result<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        let semi = tail
            .find(';')
            .ok_or_else(|| Error::document("xml", format!("at byte {pos}: unterminated entity")))?;
        let ent = tail.get(1..semi).unwrap_or("");
        out.push(match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                return Err(Error::document(
                    "xml",
                    format!("at byte {pos}: unknown entity &{ent};"),
                ));
            }
        });
        rest = tail.get(semi.saturating_add(1)..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes text for an element's content.
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Appends `<name>text</name>` on its own line, indented.
pub fn leaf(out: &mut String, indent: usize, name: &str, text: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_and_entities() {
        let e = parse("<?xml version=\"1.0\"?><a><b>x &amp; y</b><!-- note --><c/></a>").unwrap();
        assert_eq!(e.child("b").unwrap().text, "x & y");
        assert!(e.child("c").is_some());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a x=\"1\"></a>").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
    }
}
