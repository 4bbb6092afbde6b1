#include "medq/report/html_page.hpp"

#include "medq/report/markup_escape.hpp"

namespace medq {

namespace {

// Pass blue, fail vermillion (Okabe-Ito: apart for the common colour-vision deficiencies), not
// evaluated grey; each also with a border style of its own and a symbol, for print in grey.
constexpr const char* kStyle =
    "body{font-family:sans-serif;margin:2em auto;max-width:60em;color:#111;line-height:1.4}"
    "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #bbb;padding:.2em .5em}"
    "th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "code{font-family:monospace;background:#f3f3f3;padding:0 .2em}"
    "figure{margin:1em 0}figcaption{font-size:.9em;color:#444}"
    ".pass{background:#e1effa;border-left:4px solid #0072B2}"
    ".fail{background:#fbe4d5;border-left:4px double #D55E00;font-weight:bold}"
    ".not-evaluated{background:#f0f0f0;border-left:4px dotted #666;font-style:italic}"
    "p.pass,p.fail,p.not-evaluated{padding:.3em .6em}.mark{font-weight:bold}"
    "td.pass,td.fail,td.not-evaluated{white-space:nowrap}"
    "@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure{break-inside:avoid}}";

const char* mark_class(CellMark m) {
  switch (m) {
    case CellMark::kPass:
      return "pass";
    case CellMark::kFail:
      return "fail";
    case CellMark::kNotEvaluated:
      return "not-evaluated";
    case CellMark::kNone:
      break;
  }
  return "";
}

// The symbol before a marked text, hidden from screen readers (the text says it in words).
std::string mark_symbol(CellMark m) {
  const char* symbol = m == CellMark::kPass ? "✓" : m == CellMark::kFail ? "✗" : "–";
  return std::string("<span class=\"mark\" aria-hidden=\"true\">") + symbol + "</span> ";
}

}  // namespace

std::string rich_html(const RichText& t) {
  std::string out;
  for (const Span& s : t.spans) {
    out += s.code ? "<code>" + markup_escape(s.text) + "</code>" : markup_escape(s.text);
  }
  return out;
}

std::string table_html(const RichTable& t) {
  std::string out = "<table>\n<tr>";
  for (const RichText& h : t.headers) out += "<th>" + rich_html(h) + "</th>";
  out += "</tr>\n";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      const bool right = i < t.right_align.size() && t.right_align[i];
      const CellMark m = t.mark(r, i);
      std::string cls = right ? "num" : "";
      if (m != CellMark::kNone) cls += std::string(cls.empty() ? "" : " ") + mark_class(m);
      out += (cls.empty() ? std::string("<td>") : "<td class=\"" + cls + "\">") +
             (m != CellMark::kNone ? mark_symbol(m) : "") + rich_html(row[i]) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

std::string section_html(const ReportSection& s) {
  std::string out = "<section>\n<h2>" + markup_escape(s.title) + "</h2>\n";
  for (const RichText& n : s.notes_before) out += "<p>" + rich_html(n) + "</p>\n";
  if (!s.table.rows.empty()) out += table_html(s.table);
  for (const RichText& n : s.notes_after) out += "<p>" + rich_html(n) + "</p>\n";
  return out + "</section>\n";
}

std::string html_page(const RichText& title, const RichText& headline, const std::string& body,
                      CellMark headline_mark) {
  const std::string first = headline_mark == CellMark::kNone
                                ? "<p>" + rich_html(headline) + "</p>\n"
                                : std::string("<p class=\"") + mark_class(headline_mark) + "\">" +
                                      mark_symbol(headline_mark) + rich_html(headline) + "</p>\n";
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         markup_escape(to_plain(title)) + "</title>\n<style>" + kStyle +
         "</style>\n</head>\n<body>\n<h1>" + rich_html(title) + "</h1>\n" + first + body +
         "</body>\n</html>\n";
}

}  // namespace medq
