package dev.sagaflow.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {

    @Test
    void text_escapes_every_character_that_could_open_markup_or_leave_an_attribute() {
        String html = new Html().text("<script>alert('x') & \"y\"</script>").toString();

        assertThat(html).isEqualTo("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    }

    @Test
    void attribute_values_are_escaped_and_quoted() {
        String html = new Html().raw("<a").attr("href", "/x\" onclick=\"evil()").raw(">").toString();

        assertThat(html).isEqualTo("<a href=\"/x&quot; onclick=&quot;evil()\">");
    }

    @Test
    void control_characters_that_would_break_inline_svg_are_replaced_but_line_breaks_are_kept() {
        String html = new Html().text("a\u0000b\u001bc\nd\te").toString();

        assertThat(html).isEqualTo("a\uFFFDb\uFFFDc\nd\te");
    }

    @Test
    void null_text_appends_nothing() {
        assertThat(new Html().raw("<p>").text(null).raw("</p>").toString()).isEqualTo("<p></p>");
    }
}
