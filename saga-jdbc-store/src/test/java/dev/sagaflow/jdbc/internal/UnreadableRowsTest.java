package dev.sagaflow.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How often an unreadable row is reported: once per id and version, not on every poll. */
class UnreadableRowsTest {
    private final UnreadableRows unreadable = new UnreadableRows();

    @Test
    void a_row_is_reported_once_per_version() {
        assertThat(unreadable.firstReport("a", 3)).isTrue();
        assertThat(unreadable.firstReport("a", 3)).as("the next poll").isFalse();
        assertThat(unreadable.firstReport("a", 4)).as("written anew, and still unreadable").isTrue();
        assertThat(unreadable.firstReport("b", 3)).isTrue();
    }

    @Test
    void only_the_most_recent_rows_are_remembered() {
        for (int i = 0; i <= UnreadableRows.REMEMBERED; i++) {
            unreadable.firstReport("row-" + i, 1);
        }

        assertThat(unreadable.firstReport("row-0", 1)).as("the eldest was forgotten").isTrue();
        assertThat(unreadable.firstReport("row-" + UnreadableRows.REMEMBERED, 1)).isFalse();
    }
}
