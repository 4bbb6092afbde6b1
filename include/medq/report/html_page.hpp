// The parts every HTML page medq writes is made of (compare, fidelity, check): one self-contained
// document (styles inline, a Content-Security-Policy under which it loads nothing), rich text,
// tables whose verdict cells are coloured and marked with a symbol, and sections. Deterministic
// bytes.
#pragma once

#include <string>

#include "medq/report/sections.hpp"

namespace medq {

/// The text escaped, names as <code>.
std::string rich_html(const RichText& t);

/// A <table>; a marked cell (CellMark) gets its class (pass, fail, not-evaluated), a colour from
/// the Okabe-Ito palette with a border style of its own (print in grey stays readable) and a
/// symbol before its text: ✓ pass, ✗ fail, – not evaluated.
std::string table_html(const RichTable& t);

/// A <section>: the title as <h2>, the notes as paragraphs, the table between them.
std::string section_html(const ReportSection& s);

/// The whole document: `title` as the page's title and <h1>, `headline` as the first paragraph
/// (coloured and marked as a verdict cell is when `headline_mark` is not kNone), then `body`
/// (HTML).
std::string html_page(const RichText& title, const RichText& headline, const std::string& body,
                      CellMark headline_mark = CellMark::kNone);

}  // namespace medq
