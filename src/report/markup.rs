//! [`Html`]: a fragment of HTML known to be safe, so that escaping holds
//! by construction in the report ([`crate::report::html`]).
//!
//! A fragment is made only from text, which is escaped
//! ([`Html::text`]), from markup the program itself spells
//! (`&'static str`: [`Html::markup`], [`Html::fill`]'s template), from
//! numbers ([`Html::display`]) and from other fragments. A `&str` or a
//! `String` a user chose (a scenario, facility, group or stage name, a
//! parameter path, a note, a command line) has no way into a fragment but
//! [`Html::text`]: forgetting to escape it is a type error, not an
//! injection. The one exception is an SVG chart drawn by
//! [`crate::report::plots`], whose drawing library escapes its own text
//! (`Html::svg`, `pub(crate)`).

use std::fmt;

/// A fragment of HTML that holds no markup but what the program wrote
/// (see the [module docs](self)).
///
/// # Example
///
/// ```
/// use custody_sim::report::markup::Html;
///
/// let name = r#"<script>x</script>"'&"#;
/// let li = Html::fill("<li data-answer=\"{}\">{}</li>", &[&Html::text(name), &Html::text(name)]);
/// assert_eq!(
///     li.as_str(),
///     "<li data-answer=\"&lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;\">\
///      &lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;</li>"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(String);

impl Html {
    /// An empty fragment.
    pub fn new() -> Html {
        Html(String::new())
    }

    /// `text` escaped (`& < > " '`; a control character other than a tab
    /// or a line break becomes U+FFFD): safe in HTML text and in quoted
    /// attribute values.
    pub fn text(text: &str) -> Html {
        let mut h = Html::new();
        h.push_text(text);
        h
    }

    /// Markup the program spells itself.
    pub fn markup(markup: &'static str) -> Html {
        Html(markup.to_string())
    }

    /// A number (or another value whose text holds no markup), as its
    /// `Display` text, escaped all the same.
    pub fn display(value: impl fmt::Display) -> Html {
        Html::text(&value.to_string())
    }

    /// `template` with each `{}` replaced, in order, by a fragment of
    /// `parts` (a `{}` beyond the last part stays as it is).
    pub fn fill(template: &'static str, parts: &[&Html]) -> Html {
        let mut h = Html::new();
        h.push_fill(template, parts);
        h
    }

    /// An SVG chart drawn by this crate's plots, whose drawing library
    /// escapes the text it draws.
    #[cfg_attr(not(feature = "plots"), allow(dead_code))]
    pub(crate) fn svg(svg: &str) -> Html {
        Html(svg.to_string())
    }

    /// Appends `text`, escaped.
    pub fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                '\'' => self.0.push_str("&#39;"),
                // A control character other than a tab or a line break is
                // a parse error in HTML: shown as the replacement
                // character.
                c if c.is_control() && c != '\n' && c != '\t' && c != '\r' => {
                    self.0.push('\u{fffd}');
                }
                c => self.0.push(c),
            }
        }
    }

    /// Appends markup the program spells itself.
    pub fn push_markup(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    /// Appends a fragment.
    pub fn push(&mut self, fragment: &Html) {
        self.0.push_str(&fragment.0);
    }

    /// Appends [`Html::fill`] of `template` and `parts`.
    pub fn push_fill(&mut self, template: &'static str, parts: &[&Html]) {
        let mut rest = template;
        let mut parts = parts.iter();
        while let Some(i) = rest.find("{}") {
            let Some(p) = parts.next() else { break };
            self.0.push_str(&rest[..i]);
            self.0.push_str(&p.0);
            rest = &rest[i + 2..];
        }
        self.0.push_str(rest);
    }

    /// The fragments of `items` joined by `separator`.
    pub fn join(items: impl IntoIterator<Item = Html>, separator: &'static str) -> Html {
        let mut h = Html::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                h.push_markup(separator);
            }
            h.push(&item);
        }
        h
    }

    /// The fragment's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fragment's text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_markup_kept() {
        assert_eq!(Html::text("<&>\"'").as_str(), "&lt;&amp;&gt;&quot;&#39;");
        assert_eq!(Html::text("a\u{0}b\tc").as_str(), "a\u{fffd}b\tc");
        let mut h = Html::markup("<p>");
        h.push_text("<b>");
        h.push_markup("</p>");
        assert_eq!(h.as_str(), "<p>&lt;b&gt;</p>");
        assert_eq!(Html::display(2.5).as_str(), "2.5");
        assert_eq!(
            Html::fill("{}-{}-{}", &[&Html::text("a"), &Html::text("<")]).as_str(),
            "a-&lt;-{}"
        );
        let j = Html::join([Html::text("a"), Html::text("&")], "<br>");
        assert_eq!(j.as_str(), "a<br>&amp;");
    }
}
