// One escape for the markup medq writes: JUnit XML, and the HTML pages with their inline SVG.
#pragma once

#include <string>
#include <string_view>

namespace medq {

/// `s` escaped for XML and HTML text and attribute values: & < > " ' (as &amp; &lt; &gt; &quot;
/// &apos;), newline, tab and carriage return as character references (kept in attribute values),
/// other characters XML 1.0 forbids and bytes that are not UTF-8 replaced by U+FFFD.
std::string markup_escape(std::string_view s);

}  // namespace medq
