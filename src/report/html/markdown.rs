//! The little Markdown that rule pages use, as HTML: headings, paragraphs,
//! lists, fenced code, inline code, bold, and links. A link to another
//! rule's page becomes a link to its section of the report; a link out of
//! the report is written as text with its address, so that the page holds
//! no reference to anything outside it.

use std::fmt::Write as _;

use super::esc;

/// Renders `md`; headings start at `<h{base}>` for `##`.
pub fn render(md: &str, base: usize) -> String {
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut lines = md.lines();
    let flush = |out: &mut String, para: &mut Vec<&str>, list: &mut Vec<String>| {
        if !para.is_empty() {
            out.push_str("<p>");
            out.push_str(&inline(&para.join(" ")));
            out.push_str("</p>\n");
            para.clear();
        }
        if !list.is_empty() {
            out.push_str("<ul>");
            for item in list.iter() {
                out.push_str("<li>");
                out.push_str(&inline(item));
                out.push_str("</li>");
            }
            out.push_str("</ul>\n");
            list.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        if let Some(info) = trimmed.strip_prefix("```") {
            flush(&mut out, &mut para, &mut list);
            let tag = info.split_whitespace().nth(1).unwrap_or("");
            let class = match tag {
                "bad" => " class=\"bad\"",
                "good" => " class=\"good\"",
                _ => "",
            };
            let mut code = String::new();
            for l in lines.by_ref() {
                if l.trim_end().starts_with("```") {
                    break;
                }
                code.push_str(l);
                code.push('\n');
            }
            let _ = writeln!(out, "<pre{class}><code>{}</code></pre>", esc(&code));
        } else if trimmed.is_empty() {
            flush(&mut out, &mut para, &mut list);
        } else if let Some(rest) = trimmed.strip_prefix('#') {
            flush(&mut out, &mut para, &mut list);
            let depth = rest.chars().take_while(|&c| c == '#').count() + 1;
            let level = (depth + base).saturating_sub(2).clamp(1, 6);
            let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(rest.trim_start_matches('#').trim()));
        } else if let Some(item) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
            if !para.is_empty() {
                flush(&mut out, &mut para, &mut list);
            }
            list.push(item.to_owned());
        } else if !list.is_empty() && line.starts_with("  ") {
            // A list item's continuation line.
            let item = list.last_mut().expect("the list is not empty");
            item.push(' ');
            item.push_str(trimmed.trim_start());
        } else {
            if !list.is_empty() {
                flush(&mut out, &mut para, &mut list);
            }
            para.push(trimmed);
        }
    }
    flush(&mut out, &mut para, &mut list);
    out
}

/// Inline markup: `code`, **bold**, [text](target).
fn inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['`', '*', '[']) {
        out.push_str(&esc(&rest[..i]));
        let at = &rest[i..];
        if let Some(body) = at.strip_prefix('`')
            && let Some(end) = body.find('`')
        {
            let _ = write!(out, "<code>{}</code>", esc(&body[..end]));
            rest = &body[end + 1..];
        } else if let Some(body) = at.strip_prefix("**")
            && let Some(end) = body.find("**")
        {
            let _ = write!(out, "<strong>{}</strong>", inline(&body[..end]));
            rest = &body[end + 2..];
        } else if let Some((text, target, after)) = link(at) {
            match target.strip_suffix(".md").filter(|t| !t.contains(['/', ':', '#'])) {
                Some(rule) => {
                    let _ = write!(out, "<a href=\"#doc-{}\">{}</a>", esc(rule), inline(text));
                }
                None => {
                    let _ = write!(out, "{} (<span class=\"url\">{}</span>)", inline(text), esc(target));
                }
            }
            rest = after;
        } else {
            out.push_str(&esc(&at[..1]));
            rest = &at[1..];
        }
    }
    out.push_str(&esc(rest));
    out
}

/// `[text](target)` at the start of `s`: text, target and what follows.
fn link(s: &str) -> Option<(&str, &str, &str)> {
    let body = s.strip_prefix('[')?;
    let close = body.find("](")?;
    let (text, rest) = (&body[..close], &body[close + 2..]);
    let end = rest.find(')')?;
    Some((text, &rest[..end], &rest[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn blocks_and_inline() {
        let html = render(
            "## What it does\n\nReports `*` in **trust**,\nsee [x](other-rule.md) and [AWS](https://example.com/a).\n\n- one\n  more\n- two\n\n```json bad\n{\"a\": \"<b>\"}\n```\n",
            3,
        );
        assert_eq!(
            html,
            "<h3>What it does</h3>\n<p>Reports <code>*</code> in <strong>trust</strong>, see <a href=\"#doc-other-rule\">x</a> and AWS (<span class=\"url\">https://example.com/a</span>).</p>\n<ul><li>one more</li><li>two</li></ul>\n<pre class=\"bad\"><code>{&quot;a&quot;: &quot;&lt;b&gt;&quot;}\n</code></pre>\n"
        );
    }

    #[test]
    fn unclosed_markup_is_text() {
        assert_eq!(render("a ` b ** c [d", 2), "<p>a ` b ** c [d</p>\n");
    }
}
