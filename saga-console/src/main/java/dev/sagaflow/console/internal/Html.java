package dev.sagaflow.console.internal;

/**
 * Builds HTML (and inline SVG) text in which everything that is not a literal of this module is escaped.
 * {@link #text} and attribute values escape {@code & < > " '}; {@link #raw} takes only constants written
 * in this module's code. Not thread-safe: one per response.
 */
public final class Html {
    private final StringBuilder out = new StringBuilder(8192);

    /** Appends markup written in this module; never pass anything read from a request or the store. */
    public Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Appends text, escaped; {@code null} appends nothing. */
    public Html text(Object value) {
        if (value != null) {
            escape(String.valueOf(value), out);
        }
        return this;
    }

    /** Appends {@code <tag class="cls">text</tag>}, the text escaped. */
    public Html element(String tag, String cls, Object value) {
        out.append('<').append(tag);
        if (cls != null) {
            out.append(" class=\"").append(cls).append('"');
        }
        out.append('>');
        text(value);
        out.append("</").append(tag).append('>');
        return this;
    }

    /** Appends {@code <a href="url">text</a>}; the url is escaped as an attribute value. */
    public Html link(String url, Object value) {
        out.append("<a href=\"");
        escape(url, out);
        out.append("\">");
        text(value);
        out.append("</a>");
        return this;
    }

    /** Appends {@code  name="value"}, the value escaped (call right after an opening tag's name). */
    public Html attr(String name, Object value) {
        out.append(' ').append(name).append("=\"");
        escape(String.valueOf(value), out);
        out.append('"');
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /** {@code value} with {@code & < > " '} replaced by character references. */
    public static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 16);
        escape(value, sb);
        return sb.toString();
    }

    private static void escape(String value, StringBuilder sb) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // Control characters other than tab and line breaks are not allowed in XML (inline SVG) and
                    // mean nothing on a page: shown as U+FFFD so a hostile error text cannot break the document.
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
